/**
 * Characters no field, path or query of ours ever needs and that an attacker uses to split headers, hide text or fool a
 * reader: C0 controls, DEL, C1 controls, and the bidirectional overrides/isolates ("Trojan source" spoofing). Form
 * fields keep tab, LF and CR (textareas); paths and queries allow none of them.
 */
const FIELD_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/
const URL_CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/

/** True when a form field's text holds a control character other than tab, LF or CR. */
export function hasFieldControlCharacter(text: string): boolean {
  return FIELD_CONTROL.test(text)
}

/** True when a decoded path segment or query component holds any control character, tab and newlines included. */
export function hasUrlControlCharacter(text: string): boolean {
  return URL_CONTROL.test(text)
}
