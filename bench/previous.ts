/**
 * The previous release's figures, read from the table bench/README.md records them in, to set the ratios of this
 * run beside the same ratios of that one. Absolute rates drift with the machine's load; a ratio of two figures
 * measured in one run drifts much less, so the comparison is ratio to ratio.
 */
import * as fs from "node:fs"
import * as path from "node:path"

/** The section of bench/README.md holding the previous release's run, and the column of its figures. */
export const PREVIOUS = { release: "0.1", section: "### effect 4 (0.2) against effect 3 (0.1)", column: 1 }

/**
 * The figures of `PREVIOUS`: figure name (without backticks) → the first number of its cell. Empty when the section
 * is missing, so a bench still runs on a README without it.
 */
export const previousFigures = (readme = path.join(import.meta.dirname, "README.md")): Map<string, number> => {
  const lines = fs.readFileSync(readme, "utf8").split("\n")
  const at = lines.findIndex((line) => line.startsWith(PREVIOUS.section))
  const figures = new Map<string, number>()
  if (at < 0) return figures
  let i = at + 1
  while (i < lines.length && !lines[i]!.startsWith("|")) i++
  for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    const cells = lines[i]!.split("|").slice(1, -1).map((cell) => cell.trim())
    const value = Number.parseFloat(cells[PREVIOUS.column] ?? "")
    if (!Number.isNaN(value)) figures.set(cells[0]!.replaceAll("`", ""), value)
  }
  return figures
}

/** One ratio of this run beside the same ratio of the previous release's run. */
export const compareRatio = (
  previous: ReadonlyMap<string, number>,
  label: string,
  now: number,
  numerator: string,
  denominator: string
): string => {
  const a = previous.get(numerator)
  const b = previous.get(denominator)
  if (a === undefined || b === undefined) return `${label}: ${now.toFixed(3)} (no ${PREVIOUS.release} figure recorded)`
  const then = a / b
  return `${label}: ${now.toFixed(3)} in this run, ${then.toFixed(3)} in ${PREVIOUS.release}'s (× ${
    (now / then).toFixed(2)
  })`
}
