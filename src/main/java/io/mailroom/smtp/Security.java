package io.mailroom.smtp;

/** How the session is protected: STARTTLS upgrade (587), implicit TLS (465), or none (local relays). */
public enum Security { STARTTLS, TLS, NONE }
