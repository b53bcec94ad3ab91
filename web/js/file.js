// Files the user opens or drops, read as the exact text of their bytes (a BOM and CRLF included).

/**
 * The text of a file, every character kept: a leading BOM stays (`ignoreBOM`) and bytes that are
 * not UTF-8 are refused (`fatal`) rather than turned into U+FFFD, as `regcred inject -f` does.
 */
export async function readUtf8(file) {
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch (cause) {
    throw new Error(`cannot read ${file.name}: ${cause.message ?? cause}`, { cause });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new Error(`${file.name} is not UTF-8 text; convert it (for example with iconv) first`, { cause });
  }
}

/** What a text box would lose: its line ends (a textarea keeps LF only) and whether it has a BOM. */
export function describeText(text) {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  let lineEnds = 'no line end';
  if (crlf && lf) lineEnds = 'mixed CRLF and LF line ends';
  else if (crlf) lineEnds = 'CRLF line ends';
  else if (lf) lineEnds = 'LF line ends';
  return { lineEnds, hasCrlf: crlf > 0, hasBom: text.startsWith('\uFEFF') };
}

/** The first file of a drag, or null when it carries none (text dragged from elsewhere). */
export const draggedFile = (event) => event.dataTransfer?.files?.[0] ?? null;

/** Whether a drag carries files, before they can be read (dragenter, dragover). */
export const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
