package dev.sightline.server.security;

import java.util.Set;

/**
 * Who made a request: a basic-auth user, a bearer token's name, or a client certificate's subject; the scopes it
 * holds and the tenant it is bound to (null: any tenant the request names).
 */
public record Principal(String name, Set<Scope> scopes, String tenant) {
    public Principal {
        scopes = Set.copyOf(scopes);
    }
}
