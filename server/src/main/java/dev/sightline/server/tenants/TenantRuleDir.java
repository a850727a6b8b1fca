package dev.sightline.server.tenants;

import dev.sightline.core.TenantScope;
import dev.sightline.rules.RuleError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code tenants.rules_dir}, laid out as Mimir's local ruler storage: one folder per tenant id, holding that tenant's
 * Prometheus rule files ({@code *.yml}, {@code *.yaml}) and, optionally, its Alertmanager configuration
 * ({@value #ALERTMANAGER_FILE}). Files directly in the directory and folders inside a tenant's are not read.
 *
 * @param tenants every tenant folder by id, sorted
 * @param errors  a missing directory, a folder whose name is not a tenant id, an unreadable folder
 */
public record TenantRuleDir(Map<String, Path> tenants, List<RuleError> errors) {
    public static final String ALERTMANAGER_FILE = "alertmanager.yml";

    /** Lists {@code dir}; null (no rules_dir) lists nothing. */
    public static TenantRuleDir scan(Path dir) {
        Map<String, Path> tenants = new TreeMap<>();
        List<RuleError> errors = new ArrayList<>();
        if (dir == null) {
            return new TenantRuleDir(tenants, errors);
        }
        if (!Files.isDirectory(dir)) {
            errors.add(new RuleError(dir.toString(), 0, "tenants.rules_dir: no such directory"));
            return new TenantRuleDir(tenants, errors);
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
                try {
                    tenants.put(TenantScope.validate(p.getFileName().toString()), p);
                } catch (IllegalArgumentException e) {
                    errors.add(new RuleError(p.toString(), 0, "the folder's name is not a tenant id: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            errors.add(new RuleError(dir.toString(), 0, "cannot list tenants.rules_dir: " + e.getMessage()));
        }
        return new TenantRuleDir(tenants, errors);
    }

    /** The tenant's rule files, sorted; {@code errors} gets an unreadable folder. */
    public List<Path> ruleFiles(String tenant, List<RuleError> errors) {
        Path folder = tenants.get(tenant);
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(TenantRuleDir::isRuleFile).sorted().toList();
        } catch (IOException e) {
            errors.add(new RuleError(folder.toString(), 0, "cannot list the tenant's rule files: " + e.getMessage()));
            return List.of();
        }
    }

    private static boolean isRuleFile(Path p) {
        String name = p.getFileName().toString();
        return (name.endsWith(".yml") || name.endsWith(".yaml")) && !name.equals(ALERTMANAGER_FILE);
    }

    /** The tenant's Alertmanager configuration file, or null when it has none (the alertmanager: section applies). */
    public Path alertmanagerFile(String tenant) {
        Path f = tenants.get(tenant).resolve(ALERTMANAGER_FILE);
        return Files.isRegularFile(f) ? f : null;
    }
}
