package io.mailroom.smtp;

/** How to authenticate: AUTO takes PLAIN, else LOGIN, from what the server offers; XOAUTH2 sends an OAuth 2 access token. */
public enum AuthMechanism { AUTO, PLAIN, LOGIN, XOAUTH2 }
