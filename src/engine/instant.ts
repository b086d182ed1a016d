/**
 * Instants as text: ISO-8601 parsing into epoch nanoseconds and formatting back; ISO-8601
 * durations (`PT5M`) into nanoseconds.
 *
 * Parsing is strict: every field must be in its range (month 01-12, the day must exist in that
 * month, hour 00-23, minute and second 00-59, offsets within ±18:00 with minutes 00-59) and the
 * result must fit an int64 of nanoseconds. Nothing is normalised: `13:99:99` is refused rather
 * than read as `14:40:39`. Leap seconds (`23:59:60`) and `24:00` are refused too; Java's
 * `Instant.parse` would read them as `23:59:59` and the next midnight, which is exactly the kind
 * of silent shift this refuses.
 */

/** Accepted syntax: a date, optionally a time (`T` or a space) with seconds, fraction and zone. */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The canonical UTC form this engine writes: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?Z$/;

const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;
/** Years that can hold an instant at all (the int64 nanosecond range is 1677-09-21 to 2262-04-11). */
const MIN_YEAR = 1677;
const MAX_YEAR = 2262;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

let lastSecond = "";
let lastSecondNs = 0n;

/** Parses an ISO-8601 instant with up to nine fractional digits into epoch nanoseconds; null when invalid. */
export function parseInstant(s: string): bigint | null {
  const r = parseInstantOrReason(s);
  return typeof r === "bigint" ? r : null;
}

/**
 * Parses an ISO-8601 instant into epoch nanoseconds, or returns why it is not one (a sentence
 * fragment such as `"minute 99 is out of range 00-59"`).
 */
export function parseInstantOrReason(s: string): bigint | string {
  // Fast path for the form formatInstant writes (every instant in JSON deltas and snapshots):
  // consecutive values mostly share their second, whose value is cached.
  const c = CANONICAL.exec(s);
  if (c) {
    const second = s.slice(0, 19);
    if (second !== lastSecond) {
      const ns = unchecked(`${second}Z`);
      if (typeof ns === "string") return ns;
      lastSecond = second;
      lastSecondNs = ns;
    }
    const frac = c[1];
    return inRange(frac === undefined ? lastSecondNs : lastSecondNs + BigInt(frac.padEnd(9, "0")));
  }
  const ns = unchecked(s);
  return typeof ns === "string" ? ns : inRange(ns);
}

/** Epoch nanoseconds of valid fields, not yet checked against the int64 range; else why not. */
function unchecked(s: string): bigint | string {
  const m = ISO_INSTANT.exec(s.trim());
  if (!m) return "not an ISO-8601 instant";
  const [, ys, mos, ds, hs, mis = "00", ses = "00", frac = "", zone] = m;
  if (hs !== undefined && zone === undefined)
    return "a time needs a zone (Z or an offset such as +01:00)";
  const y = +ys!;
  const mo = +mos!;
  const d = +ds!;
  const h = hs === undefined ? 0 : +hs;
  const mi = +mis;
  const se = +ses;
  if (mo < 1 || mo > 12) return `month ${mos} is out of range 01-12`;
  const days = daysInMonth(y, mo);
  if (d < 1 || d > days) {
    const leap = mo === 2 && d === 29 ? ` (${ys} is not a leap year)` : "";
    return `day ${ds} does not exist in ${MONTHS[mo - 1]} ${ys}${leap}`;
  }
  if (h > 23) return `hour ${hs} is out of range 00-23`;
  if (mi > 59) return `minute ${mis} is out of range 00-59`;
  if (se > 59) return `second ${ses} is out of range 00-59 (leap seconds are not accepted)`;
  let offsetMin = 0;
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const oh = +digits.slice(0, 2);
    const om = +digits.slice(2, 4);
    if (om > 59 || oh > 18 || (oh === 18 && om > 0))
      return `offset ${zone} is out of range (at most ±18:00, minutes 00-59)`;
    offsetMin = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  // Years outside these cannot hold an instant; inside them Date.UTC is exact (years >= 100).
  if (y < MIN_YEAR - 1 || y > MAX_YEAR + 1)
    return inRange(y < MIN_YEAR ? MIN_NS - 1n : MAX_NS + 1n);
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  return (BigInt(ms) - BigInt(offsetMin) * 60000n) * 1000000n + BigInt(frac.padEnd(9, "0"));
}

function inRange(ns: bigint): bigint | string {
  if (ns >= MIN_NS && ns <= MAX_NS) return ns;
  return `outside the instant range ${formatInstant(MIN_NS)} to ${formatInstant(MAX_NS)}`;
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Formats epoch nanoseconds as ISO-8601 UTC with the fractional digits needed (up to nine). */
export function formatInstant(ns: bigint): string {
  let ms = ns / 1000000n;
  let rem = ns % 1000000n;
  if (rem < 0n) {
    rem += 1000000n;
    ms -= 1n;
  }
  const base = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  const msPart = base.slice(20, 23);
  let frac = msPart + rem.toString().padStart(6, "0");
  frac = frac.replace(/0+$/, "");
  return `${base.slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

const DURATION =
  /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Parses an ISO-8601 duration (`PT1s`, `PT0.2s`, `PT1M30S`, `P1D`) into nanoseconds. */
export function parseDuration(text: string): bigint | null {
  const m = DURATION.exec(text.trim());
  if (!m || (m[2] ?? m[3] ?? m[4] ?? m[5]) === undefined) return null;
  const part = (s: string | undefined, unitNs: bigint): bigint => {
    if (!s) return 0n;
    const [whole, frac = ""] = s.split(".");
    const scale = 10n ** BigInt(frac.length);
    return ((BigInt(whole!) * scale + BigInt(frac || "0")) * unitNs) / scale;
  };
  const ns =
    part(m[2], 86_400_000_000_000n) +
    part(m[3], 3_600_000_000_000n) +
    part(m[4], 60_000_000_000n) +
    part(m[5], 1_000_000_000n);
  return m[1] ? -ns : ns;
}
