package io.mailroom.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An OAuth 2 token introspection endpoint (RFC 7662) on a loopback port that knows one token of one user: what
 * {@link PostfixServer#withOAuth}'s Dovecot asks before it lets a session authenticate with a bearer token.
 */
public final class TokenIntrospection implements AutoCloseable {
    private final HttpServer server;
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());

    public TokenIntrospection(String token, String user) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/introspect", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String given = "";
            for (String pair : body.split("&")) {
                if (pair.startsWith("token=")) given = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
            }
            asked.add(given);
            byte[] answer = (given.equals(token) ? "{\"active\":true,\"username\":\"" + user + "\"}" : "{\"active\":false}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/introspect"; }

    /** Every token the endpoint was asked about, in order. */
    public List<String> asked() { return List.copyOf(asked); }

    @Override
    public void close() { server.stop(0); }
}
