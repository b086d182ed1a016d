/**
 * Java-compatible text of numbers, for string concatenation: Double.toString and Float.toString
 * (shortest digits that read back to the same value; decimal notation for magnitudes in
 * [10^-3, 10^7), otherwise `d.dddE±n`; integral values keep a `.0`).
 */

/** Java's Double.toString. */
export function formatDouble(d: number): string {
  if (d !== d) return "NaN";
  if (d === Infinity) return "Infinity";
  if (d === -Infinity) return "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const mag = Math.abs(d);
  if (mag >= 1e-3 && mag < 1e7) {
    const s = String(d);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa, exp] = d.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${exp.startsWith("+") ? exp.slice(1) : exp}`;
}

/** Java's Float.toString, for a value that is exactly a float. */
export function formatFloat(f: number): string {
  if (f !== f || f === Infinity || f === -Infinity || f === 0) return formatDouble(f);
  for (let p = 1; p < 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return formatDouble(s);
  }
  return formatDouble(Number(f.toPrecision(9)));
}
