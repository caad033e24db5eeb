package io.mailroom.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the jobs live, and how to connect: H2 (the default, one machine) or PostgreSQL (several workers on
 * one job). A PostgreSQL password comes from the URL, else $PGPASSWORD, else the password file libpq reads
 * ($PGPASSFILE, else ~/.pgpass, ignored when others may read it); mailroom never stores it and shows the URL
 * only masked ({@link #shown()}). Everything that differs between the two databases is decided here.
 */
public final class Database {
    public enum Kind { H2, POSTGRESQL }

    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)((?:password|pwd)=)[^&;]*");

    private final String url;
    private final Kind kind;
    private final Properties login;

    private Database(String url, Kind kind, Properties login) {
        this.url = url;
        this.kind = kind;
        this.login = login;
    }

    /** The database at {@code url}, with the password found as the class comment says ({@code env}: the environment). */
    public static Database at(String url, Function<String, String> env) throws DatabaseUrlException {
        if (url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            Properties login = new Properties();
            login.setProperty("user", "");
            login.setProperty("password", "");
            return new Database(url, Kind.H2, login);
        }
        if (url.regionMatches(true, 0, "jdbc:postgresql:", 0, 16)) return new Database(url, Kind.POSTGRESQL, postgresLogin(url, env));
        throw new DatabaseUrlException("mailroom cannot keep jobs in " + shown(url) + ": it stores them in H2 (jdbc:h2:./jobs, one machine)"
                + " or PostgreSQL (jdbc:postgresql://host:5432/db?user=name, several machines)", null);
    }

    public static Database at(String url) throws DatabaseUrlException {
        return at(url, System::getenv);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, login);
    }

    public String url() { return url; }

    public Kind kind() { return kind; }

    public boolean isH2() { return kind == Kind.H2; }

    /** The URL as it may be shown: as the user gave it, a password in it masked. */
    public String shown() { return shown(url); }

    static String shown(String url) {
        return PASSWORD_IN_URL.matcher(Store.asGiven(url)).replaceAll("$1****");
    }

    /**
     * Throws what a failure to connect means, when it means more than itself: the server unreachable or full
     * (run again later), the login refused, or no such database.
     */
    void explainConnectFailure(SQLException e) throws DatabaseUnavailableException, DatabaseLoginException, DatabaseUrlException {
        // H2 90067 on connecting: its server (jdbc:h2:tcp://, or the process serving an AUTO_SERVER file) is not there
        if (kind == Kind.H2 && e.getErrorCode() == org.h2.api.ErrorCode.CONNECTION_BROKEN_1) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            String reason = why instanceof java.net.UnknownHostException ? "host not found: " + why.getMessage().replaceFirst(":.*", "") : why.getMessage();
            throw new DatabaseUnavailableException("cannot connect to the H2 server of " + shown() + ": " + reason
                    + "; nothing was sent; start it or correct the host and port, then run again", e);
        }
        if (kind != Kind.POSTGRESQL) return;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // 08004: the server asked for a password and there was none (the driver's own refusal)
        if (state.startsWith("28") || state.equals("08004") && password() == null) {
            throw new DatabaseLoginException("the PostgreSQL server of " + shown() + " refused user \"" + user() + "\" (" + e.getMessage()
                    + "); give the right password in the URL (password=), $PGPASSWORD or ~/.pgpass", e);
        }
        if (state.equals("3D000")) throw new DatabaseUrlException("the database of " + shown() + " does not exist: " + e.getMessage() + "; create it first (createdb)", e);
        if (state.startsWith("08") || state.equals("53300") || state.equals("57P03")) {
            throw new DatabaseUnavailableException("cannot connect to the PostgreSQL server of " + shown() + ": " + e.getMessage()
                    + "; nothing was sent; start it or correct the host and port, then run again", e);
        }
    }

    /**
     * What Flyway runs before migrating: on PostgreSQL, db/postgresql/types.sql makes the CLOB and BLOB types the
     * migrations were written with (after Flyway has checked that the schema is its own).
     */
    org.flywaydb.core.api.callback.Callback beforeMigrations() {
        return new org.flywaydb.core.api.callback.Callback() {
            @Override
            public boolean supports(org.flywaydb.core.api.callback.Event event, org.flywaydb.core.api.callback.Context context) {
                return kind == Kind.POSTGRESQL && event == org.flywaydb.core.api.callback.Event.BEFORE_MIGRATE;
            }

            @Override
            public boolean canHandleInTransaction(org.flywaydb.core.api.callback.Event event, org.flywaydb.core.api.callback.Context context) {
                return true;
            }

            @Override
            public void handle(org.flywaydb.core.api.callback.Event event, org.flywaydb.core.api.callback.Context context) {
                try (java.io.InputStream in = Database.class.getResourceAsStream("/db/postgresql/types.sql");
                     java.sql.Statement st = context.getConnection().createStatement()) {
                    if (in == null) throw new IllegalStateException("db/postgresql/types.sql is missing from the build");
                    st.execute(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException | SQLException e) {
                    throw new IllegalStateException("preparing PostgreSQL for mailroom's migrations failed: " + e.getMessage(), e);
                }
            }

            @Override
            public String getCallbackName() {
                return "mailroom PostgreSQL types";
            }
        };
    }

    /** Flyway's own connection, with the same login. */
    String user() { return login.getProperty("user"); }

    String password() { return login.getProperty("password"); }

    private static Properties postgresLogin(String url, Function<String, String> env) throws DatabaseUrlException {
        Properties parsed = org.postgresql.Driver.parseURL(url, null);
        if (parsed == null) throw new DatabaseUrlException("the PostgreSQL URL " + shown(url) + " is not one the driver reads; write it as"
                + " jdbc:postgresql://host:5432/database?user=name", null);
        Properties login = new Properties();
        String user = parsed.getProperty("user");
        if (user == null) user = env.apply("PGUSER");
        if (user == null) user = System.getProperty("user.name");
        login.setProperty("user", user);
        String password = parsed.getProperty("password");
        if (password == null) password = env.apply("PGPASSWORD");
        if (password == null) {
            String host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
            String port = parsed.getProperty("PGPORT", "5432").split(",")[0];
            password = fromPasswordFile(passwordFile(env), host, port, parsed.getProperty("PGDBNAME", user), user);
        }
        if (password != null) login.setProperty("password", password);
        return login;
    }

    private static Path passwordFile(Function<String, String> env) {
        String named = env.apply("PGPASSFILE");
        if (named != null) return Path.of(named);
        String home = env.apply("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"), ".pgpass");
    }

    /**
     * The password of the first line of {@code file} that matches (hostname:port:database:username:password,
     * "*" for any, "\" escaping ":" and "\"), as libpq reads it; null when none does, or the file is missing
     * or readable by others (libpq ignores such a file too).
     */
    static String fromPasswordFile(Path file, String host, String port, String database, String user) {
        try {
            if (!Files.isRegularFile(file)) return null;
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) return null;
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                List<String> f = fields(line);
                if (f.size() < 5) continue;
                if (matches(f.get(0), host) && matches(f.get(1), port) && matches(f.get(2), database) && matches(f.get(3), user)) return f.get(4);
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static boolean matches(String field, String value) {
        return field.equals("*") || field.equals(value);
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                f.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
