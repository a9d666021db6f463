/**
 * A light lexer for the statement text of SQLQuery: it finds the first keyword and the top-level semicolons
 * while skipping strings, quoted identifiers, dollar quotes and comments, so that only one SELECT
 * statement is let through. Postgres remains the judge of everything else (and the read-only transaction
 * the backstop for anything that slips past).
 */
import { StatusCode } from "../../internal/protocol.js"
import { StatusError } from "../StatusError.js"

interface Token {
  readonly kind: "word" | "semicolon" | "other"
  readonly start: number
  readonly text: string
}

const isIdentStart = (c: string): boolean => /[A-Za-z_\u0080-\uFFFF]/.test(c)
const isIdentChar = (c: string): boolean => /[A-Za-z0-9_$\u0080-\uFFFF]/.test(c)
/**
 * The index just past the quoted text that opens at `at` with `quote` (a doubled quote stands for itself; with
 * `escapes`, a backslash escapes the next character), or the end of `text` when it is not closed.
 */
const afterQuoted = (text: string, at: number, quote: string, escapes: boolean): number => {
  let i = at + 1
  while (i < text.length) {
    if (escapes && text[i] === "\\") i += 2
    else if (text[i] !== quote) i++
    else if (text[i + 1] === quote) i += 2
    else return i + 1
  }
  return text.length
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/y

/** Splits `text` into significant tokens (whitespace and comments dropped). Unterminated constructs run to the end. */
const tokenize = (text: string): Array<Token> => {
  const tokens: Array<Token> = []
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text[i]!
    const start = i
    if (/\s/.test(c)) {
      i++
    } else if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i)
      i = nl < 0 ? n : nl + 1
    } else if (c === "/" && text[i + 1] === "*") {
      // Block comments nest in Postgres.
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++
          i += 2
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--
          i += 2
        } else {
          i++
        }
      }
    } else if (c === "'") {
      // E'...' strings take backslash escapes; all strings double a quote to escape it.
      const prev = text[i - 1]
      const escapes = (prev === "e" || prev === "E") && (i < 2 || !isIdentChar(text[i - 2]!))
      i = afterQuoted(text, i, "'", escapes)
      tokens.push({ kind: "other", start, text: text.slice(start, i) })
    } else if (c === "\"") {
      i = afterQuoted(text, i, "\"", false)
      tokens.push({ kind: "other", start, text: text.slice(start, i) })
    } else if (c === "$" && !(i > 0 && isIdentChar(text[i - 1]!))) {
      DOLLAR_TAG.lastIndex = i
      const m = DOLLAR_TAG.exec(text)
      if (m) {
        const end = text.indexOf(m[0], i + m[0].length)
        i = end < 0 ? n : end + m[0].length
      } else {
        // A parameter ($1) or a stray dollar.
        i++
        while (i < n && /[0-9]/.test(text[i]!)) i++
      }
      tokens.push({ kind: "other", start, text: text.slice(start, i) })
    } else if (isIdentStart(c)) {
      while (i < n && isIdentChar(text[i]!)) i++
      tokens.push({ kind: "word", start, text: text.slice(start, i) })
    } else if (c === ";") {
      i++
      tokens.push({ kind: "semicolon", start, text: ";" })
    } else {
      i++
      tokens.push({ kind: "other", start, text: c })
    }
  }
  return tokens
}

const badSql = (message: string): StatusError => new StatusError(StatusCode.BadSQLValue, message)

/**
 * Checks that `text` is exactly one SELECT statement (`SELECT …` or `WITH … SELECT`, optionally in
 * parentheses, optionally ending with semicolons) and returns it without the trailing semicolons.
 * Anything else is a 441.
 */
export const checkSelectStatement = (text: string): string => {
  const tokens = tokenize(text)
  if (tokens.length === 0) throw badSql("empty query: expected a SELECT statement")
  const first = tokens.find((t) => t.text !== "(")
  const keyword = first?.kind === "word" ? first.text.toLowerCase() : undefined
  if (keyword !== "select" && keyword !== "with") {
    throw badSql(
      `only SELECT statements on the streams table are allowed, got ${
        first === undefined ? "nothing" : JSON.stringify(first.text.slice(0, 32))
      }`
    )
  }
  const semi = tokens.findIndex((t) => t.kind === "semicolon")
  if (semi < 0) return text
  if (tokens.slice(semi).some((t) => t.kind !== "semicolon")) {
    throw badSql("only one statement is allowed per query")
  }
  return text.slice(0, tokens[semi]!.start)
}
