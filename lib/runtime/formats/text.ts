/**
 * Text forms of Tablestore values, as the Data Integration (DataX) writers print them: the Tablestore Stream
 * reader hands integers over as Long columns, doubles as Double columns (BigDecimal plain strings), booleans as
 * Boolean columns and binaries as Bytes columns.
 */

/** How binary values become text. DataX's default decodes them as UTF-8 (lossy); base64 is its lossless option. */
export type BinaryTextEncoding = 'base64' | 'utf8';

/**
 * A double as DataX's DoubleColumn prints it: `new BigDecimal(String.valueOf(d)).toPlainString()`.
 * Java's Double.toString uses plain notation in [1e-3, 1e7) with at least one fractional digit ("100.0") and
 * `d.dddE±n` elsewhere; BigDecimal.toPlainString then expands the exponent, keeping the mantissa's digits
 * ("1.0E7" -> "10000000", "1.0E-4" -> "0.00010"). Digits are the shortest round-trip ones, which is what
 * JavaScript produces and Java does since JDK 19.
 */
export function javaDoubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const short = Number.isInteger(abs) ? null : fewDecimals(abs);
    if (short !== null) return value < 0 ? `-${short}` : short;
    const s = String(value);
    return s.includes('.') ? s : `${s}.0`;
  }
  // Shortest digits and decimal exponent: abs = d.ddd × 10^exp
  const [mantissa, expText] = abs.toExponential().split('e');
  const exp = Number(expText);
  let digits = mantissa.replace('.', '');
  if (digits.length === 1) digits += '0'; // Java prints "1.0E7": the ".0" is a significant digit for BigDecimal
  const scale = digits.length - 1 - exp;
  let plain: string;
  if (scale <= 0) {
    plain = digits + '0'.repeat(-scale);
  } else if (digits.length > scale) {
    plain = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  } else {
    plain = `0.${'0'.repeat(scale - digits.length)}${digits}`;
  }
  return value < 0 ? `-${plain}` : plain;
}

/**
 * Plain text of a non-integral abs in [1e-3, 1e7) with at most six decimals, or null; about twice as fast as
 * String() for the few-decimal values sensors write. m / 1e6 === abs proves (correctly rounded division of exact
 * operands) that m·10^-6 reads back as abs; without its trailing zeros it has at most 13 digits, and no other
 * decimal of 15 digits or fewer reads back as the same double, so this is String()'s shortest round-trip text.
 */
function fewDecimals(abs: number): string | null {
  const m = Math.round(abs * 1e6);
  if (m / 1e6 !== abs) return null;
  const whole = Math.floor(abs);
  let fraction = m - whole * 1e6;
  let width = 6;
  while (fraction % 10 === 0) {
    fraction /= 10;
    width--;
  }
  const digits = String(fraction);
  return `${whole}.${'00000'.slice(0, width - digits.length)}${digits}`;
}

export function binaryText(value: Buffer, encoding: BinaryTextEncoding): string {
  return encoding === 'base64' ? value.toString('base64') : value.toString('utf8');
}
