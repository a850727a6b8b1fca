package dev.sightline.server.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a credential may do: read data, write data (every ingest path), or change the server (admin). */
public enum Scope {
    READ, WRITE, ADMIN;

    /** Every scope: a basic-auth user without listed scopes has them all, as in Prometheus where users have full access. */
    public static final Set<Scope> ALL = Set.copyOf(EnumSet.allOf(Scope.class));

    /** The name in the web config file and in 403 messages. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope named {@code id} ({@code read}, {@code write}, {@code admin}), or null. */
    static Scope parse(String id) {
        for (Scope s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        return null;
    }
}
