/** A small well-formedness check of an SVG document: every tag closed in order, attributes quoted. */
export const checkWellFormed = (svg: string): { readonly elements: Map<string, number> } => {
  const stack: Array<string> = []
  const elements = new Map<string, number>()
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g
  let last = 0
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    if (/[<>]/.test(svg.slice(last, m.index))) throw new Error(`stray markup before offset ${m.index}`)
    last = m.index + m[0].length
    const [, closing, name, , selfClosing] = m
    if (closing) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`)
    } else {
      elements.set(name!, (elements.get(name!) ?? 0) + 1)
      if (!selfClosing) stack.push(name!)
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join(">, <")}>`)
  if (/[<>]/.test(svg.slice(last))) throw new Error("stray markup at the end")
  return { elements }
}
