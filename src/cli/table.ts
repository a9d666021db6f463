/**
 * Plain-text tables for the command's output.
 */

/**
 * Renders `rows` under `header`, each column as wide as its widest cell. A column is right-aligned when `align`
 * says so, or (without `align`) when every cell of it is a number.
 */
export const renderTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  align?: ReadonlyArray<"left" | "right">
) => {
  const cells = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length)))
  const right = header.map((_, c) =>
    align !== undefined ? align[c] === "right" : rows.length > 0 && rows.every((row) => typeof row[c] === "number")
  )
  const line = (row: ReadonlyArray<string>) =>
    row.map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n")
}
