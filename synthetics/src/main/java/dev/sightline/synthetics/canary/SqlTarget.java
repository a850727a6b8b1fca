package dev.sightline.synthetics.canary;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * A PostgreSQL table of canary rows: the write creates the table if missing, inserts the value into the primary and
 * deletes the rows of its canary but the newest {@value #KEEP_ROWS} (so a reader always finds the newest value, and
 * the table stays small); a reader selects the newest row of its canary on a read-only connection. Each call opens
 * its own connection, so a database that restarts or fails over is simply reached again on the next round.
 */
final class SqlTarget implements Target {
    static final int KEEP_ROWS = 10;

    private final CanaryConfig.Sql spec;
    private final String canary;
    private final String insert;
    private final String clean;
    private final String select;
    private final String create;

    SqlTarget(CanaryConfig.Sql spec, String canary) {
        this.spec = spec;
        this.canary = canary;
        // The table name is checked to be a plain identifier (CanaryConfig.Sql); values are bound, never spliced.
        String t = spec.table();
        create = "CREATE TABLE IF NOT EXISTS " + t + " (id bigserial PRIMARY KEY, canary text NOT NULL, value text NOT NULL,"
                + " written_at timestamptz NOT NULL DEFAULT now())";
        insert = "INSERT INTO " + t + " (canary, value) VALUES (?, ?)";
        clean = "DELETE FROM " + t + " WHERE canary = ? AND id < (SELECT min(id) FROM (SELECT id FROM " + t
                + " WHERE canary = ? ORDER BY id DESC LIMIT " + KEEP_ROWS + ") AS newest)";
        select = "SELECT value FROM " + t + " WHERE canary = ? ORDER BY id DESC LIMIT 1";
    }

    @Override
    public void write(String value, Duration timeout) throws Exception {
        try (Connection c = connect(timeout); Statement st = c.createStatement()) {
            st.setQueryTimeout(seconds(timeout));
            st.execute(create);
            try (PreparedStatement ins = c.prepareStatement(insert); PreparedStatement del = c.prepareStatement(clean)) {
                ins.setQueryTimeout(seconds(timeout));
                ins.setString(1, canary);
                ins.setString(2, value);
                ins.executeUpdate();
                del.setQueryTimeout(seconds(timeout));
                del.setString(1, canary);
                del.setString(2, canary);
                del.executeUpdate();
            }
        }
    }

    @Override
    public String read(Duration timeout) throws Exception {
        try (Connection c = connect(timeout)) {
            c.setReadOnly(true);
            try (PreparedStatement st = c.prepareStatement(select)) {
                st.setQueryTimeout(seconds(timeout));
                st.setString(1, canary);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }
    }

    private Connection connect(Duration timeout) throws Exception {
        Properties p = new Properties();
        if (spec.user() != null) {
            p.setProperty("user", spec.user());
        }
        if (spec.password() != null) {
            p.setProperty("password", spec.password());
        }
        String s = Integer.toString(seconds(timeout));
        p.setProperty("connectTimeout", s);
        p.setProperty("loginTimeout", s);
        p.setProperty("socketTimeout", s);
        p.setProperty("ApplicationName", "sightline-canary");
        return DriverManager.getConnection(spec.url(), p);
    }

    /** JDBC counts timeouts in whole seconds; 0 would mean none, so at least 1. */
    private static int seconds(Duration timeout) {
        return (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }
}
