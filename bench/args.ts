/** The command-line options of the benchmark scripts: `--name value`. */

/** The number after `--name`, or `fallback` when the option is not given. */
export const numberArg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

/** The text after `--name`, or undefined when the option is not given. */
export const textArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
