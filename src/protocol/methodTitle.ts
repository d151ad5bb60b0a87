// A method's name as figures, panels and file names show it.

/** A title with real subscripts: LRP-α₁.₂β₀.₂ is [{text:'LRP-α'},{text:'1.2',sub:true},{text:'β'},{text:'0.2',sub:true}]. */
export type MethodTitle = Array<{ text: string; sub?: boolean }>;

/** "LRP-α1.2β0.2": the title as plain text, subscripts inline (screen readers, logs, the status bar). */
export function titleText(title: MethodTitle): string {
  return title.map((part) => part.text).join('');
}
