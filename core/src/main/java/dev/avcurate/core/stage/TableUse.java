package dev.avcurate.core.stage;

import java.util.List;

/**
 * A table a stage reads or writes, with the columns involved.
 *
 * @param table    the table's name under {@code <output>/tables/} (videos, clips, rejects, captions, shards, ...)
 * @param columns  the columns involved
 * @param optional for a read: the stage runs without it (a filter rule whose score has not been computed is skipped,
 *                 a missing captions table means no captions in the shards)
 */
public record TableUse(String table, List<String> columns, boolean optional) {
    public TableUse {
        columns = List.copyOf(columns);
    }

    public static TableUse of(String table, String... columns) {
        return new TableUse(table, List.of(columns), false);
    }

    public static TableUse of(String table, List<String> columns) {
        return new TableUse(table, columns, false);
    }

    public static TableUse optional(String table, List<String> columns) {
        return new TableUse(table, columns, true);
    }

    @Override
    public String toString() {
        return table + "(" + String.join(", ", columns) + ")" + (optional ? " [optional]" : "");
    }
}
