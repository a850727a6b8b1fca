package dev.sightline.server.promapi;
import dev.sightline.core.text.GoQuote;
import dev.sightline.server.query.QueryGate;
import dev.sightline.server.tenants.TenantException;


/**
 * An error answered as Prometheus's API does: {@code {"status":"error","errorType":...,"error":...}} with the HTTP
 * status Prometheus gives that error type.
 */
final class ApiError extends Exception {
    enum Type {
        BAD_DATA("bad_data", 400),
        EXECUTION("execution", 422),
        // 499 is nginx's "client closed request", which Prometheus answers a canceled query with.
        CANCELED("canceled", 499),
        TIMEOUT("timeout", 503),
        INTERNAL("internal", 500),
        UNAVAILABLE("unavailable", 503),
        NOT_FOUND("not_found", 404),
        // A multitenant server's request without X-Scope-OrgID, and a tenant over one of its limits (issue 18).
        UNAUTHORIZED("unauthorized", 401),
        TOO_MANY_REQUESTS("too_many_requests", 429);

        final String apiName;
        final int httpStatus;

        Type(String apiName, int httpStatus) {
            this.apiName = apiName;
            this.httpStatus = httpStatus;
        }
    }

    final Type type;
    /** The type's status, or another one the type does not say alone (429 for a full query queue). */
    final int httpStatus;

    ApiError(Type type, String message) {
        this(type, type.httpStatus, message);
    }

    ApiError(Type type, int httpStatus, String message) {
        super(message, null, false, false);
        this.type = type;
        this.httpStatus = httpStatus;
    }

    /** A query the query gate refused: its status and errorType. */
    static ApiError refused(QueryGate.Rejected r) {
        Type t = r.errorType().equals(Type.TIMEOUT.apiName) ? Type.TIMEOUT : Type.UNAVAILABLE;
        return new ApiError(t, r.httpStatus(), r.getMessage());
    }

    static ApiError badData(String message) {
        return new ApiError(Type.BAD_DATA, message);
    }

    /** A request refused for its tenant, with the status the refusal carries. */
    static ApiError of(TenantException e) {
        Type type = switch (e.status()) {
            case 401 -> Type.UNAUTHORIZED;
            case 429 -> Type.TOO_MANY_REQUESTS;
            default -> Type.BAD_DATA;
        };
        return new ApiError(type, e.getMessage());
    }

    /** Prometheus's invalidParamError: {@code invalid parameter "NAME": CAUSE}. */
    static ApiError invalidParam(String param, String cause) {
        return badData("invalid parameter " + GoQuote.quote(param) + ": " + cause);
    }
}
