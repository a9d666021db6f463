/**
 * The figures a benchmark prints: one JSON line each as it is measured ({bench, figure, value, unit, vs, ratio}),
 * kept for the table that sums them up at the end.
 */

/** One measured figure; `ratio` compares it with the figure `vs` of the same run. */
export interface Figure {
  readonly bench: string
  readonly figure: string
  readonly value: number
  readonly unit: string
  readonly vs?: string
  readonly ratio?: number
}

/** The figures emitted so far, in order. */
export const figures: Array<Figure> = []

/** Prints a figure as a JSON line and keeps it. */
export const emit = (f: Figure) => {
  figures.push(f)
  console.log(JSON.stringify(f))
}

/** `x` with at most `digits` decimals. */
export const round = (x: number, digits = 2) => Number(x.toFixed(digits))

/**
 * Runs a benchmark's `main`, then prints the figures as a table (`ratioHeading` names the ratio column); a failure
 * is printed and exits 1.
 */
export const runBench = (main: () => Promise<void>, ratioHeading = "ratio") => {
  main().then(() => {
    console.log("")
    console.log(`| bench | figure | value | vs | ${ratioHeading} |`)
    console.log("|---|---|---|---|---|")
    for (const f of figures) {
      console.log(`| ${f.bench} | ${f.figure} | ${f.value} ${f.unit} | ${f.vs ?? ""} | ${f.ratio ?? ""} |`)
    }
  }).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
