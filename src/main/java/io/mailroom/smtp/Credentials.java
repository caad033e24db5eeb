package io.mailroom.smtp;

/** A username and its password. {@link #toString()} never shows the password. */
public record Credentials(String username, String password) {
    @Override
    public String toString() { return "Credentials[username=" + username + ", password=****]"; }
}
