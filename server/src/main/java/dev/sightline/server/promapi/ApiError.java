package dev.sightline.server.promapi;
import dev.sightline.core.text.GoQuote;
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

    ApiError(Type type, String message) {
        super(message, null, false, false);
        this.type = type;
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
