// Progressive enhancement of the passage form: selecting text in the document with the mouse fills in the
// start and end (character positions of the plain text) and the preview. Without script the same form is
// filled from the keyboard: positions typed in, or a search hit's "code this" link.
const text = document.getElementById("document-text");
const start = document.getElementById("passage-start");
const end = document.getElementById("passage-end");
const preview = document.getElementById("passage-preview");
const hint = document.getElementById("mouse-hint");

function offsetOf(node, offset) {
  // characters of the text before (node, offset): the length of the range from the text's beginning
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function chosen() {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
  const from = offsetOf(range.startContainer, range.startOffset);
  const to = offsetOf(range.endContainer, range.endOffset);
  if (to <= from) return;
  start.value = String(from);
  end.value = String(to);
  preview.textContent = text.textContent.slice(from, to);
}

if (text && start && end && preview) {
  if (hint) hint.hidden = false;
  text.addEventListener("mouseup", chosen);
  text.addEventListener("keyup", chosen);  // a selection made with shift and the arrow keys in caret browsing
}
