package io.mailroom.smtp;

/**
 * How to authenticate: AUTO takes PLAIN, else LOGIN, from what the server offers (never an OAuth mechanism:
 * a password is not a token); XOAUTH2 and OAUTHBEARER (RFC 7628) send an OAuth 2 access token.
 */
public enum AuthMechanism {
    AUTO, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER;

    /** Whether the secret is an OAuth 2 access token rather than a password. */
    public boolean isOAuth() { return this == XOAUTH2 || this == OAUTHBEARER; }
}
