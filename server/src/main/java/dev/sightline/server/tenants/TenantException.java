package dev.sightline.server.tenants;

/**
 * A request refused for its tenant: 401 without an {@code X-Scope-OrgID} header ("no org id", as Mimir answers), 400
 * with an invalid tenant id, 429 when one of the tenant's limits is reached (the message names the limit's key).
 */
public final class TenantException extends RuntimeException {
    private final int status;

    public TenantException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
