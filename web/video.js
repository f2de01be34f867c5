// The video page: play and step the conversion, draw and move the ROI, see the tile grid and the
// M-mode strip under the cursor, set the label, write notes, and go to the next video needing work.
// Every write is a POST with the version this page was shown, so an edit on an out-of-date version
// is refused by the server ("changed by NAME at TIME") instead of overwriting.
import { api, say, element } from "./common.js";

const app = document.getElementById("app");
const videoID = app.dataset.video;
const video = document.getElementById("video");
const canvas = document.getElementById("overlay");
const context = canvas.getContext("2d");
const mmode = document.getElementById("mmode");

let detail = null;
let roi = null; // the rectangle being edited, in conversion pixels
let suggestion = null; // a program's rectangle, shown dashed
let dirty = false;
let drag = null;
let pinnedColumn = null;
let hoverColumn = null;
let mmodeTimer = null;

const space = () => detail.conversion ?? { width: detail.info.width, height: detail.info.height, fps: detail.info.fps, frames: detail.info.frames };
const fps = () => space().fps;
const scale = () => canvas.width / space().width;

async function load() {
  detail = await api(`/api/videos/${videoID}`);
  render();
}

function render() {
  const current = detail.currentRoi;
  if (!dirty) roi = current && !current.suggestion ? { ...current.rect } : null;
  suggestion = current && current.suggestion
    ? { ...current.rect, confidence: current.confidence, lowConfidence: current.lowConfidence } : suggestion;
  if (!detail.conversion) {
    say(`This video has no conversion yet: run "pleura transcode ${videoID}" to play it here.`, true);
  } else if (!video.src) {
    video.src = `/media/conversions/${detail.conversion.id}/video.mp4`;
  }
  if (!current && !suggestion && detail.conversion) fetchSuggestion();
  renderLabel();
  renderRoiStatus();
  renderNotes();
  renderHistory();
  draw();
}

async function fetchSuggestion() {
  try {
    suggestion = await api(`/api/videos/${videoID}/suggestion`);
    renderRoiStatus();
    draw();
  } catch (error) {
    document.getElementById("roi-status").textContent = `No suggestion: ${error.message}`;
  }
}

function renderLabel() {
  const current = detail.currentLabel;
  for (const button of document.querySelectorAll(".labels button")) {
    button.classList.toggle("chosen", current?.label === button.dataset.label);
  }
  document.getElementById("label-status").textContent = current
    ? `${current.label}, version ${current.version} by ${current.author}${current.adjudicated ? " (adjudicated)" : ""}`
    : detail.blind ? "You have not labelled this video yet (blind mode hides other labels)." : "No label.";
}

function renderRoiStatus() {
  const current = detail.currentRoi;
  let text = current
    ? `${current.suggestion ? "Suggested" : "Confirmed"}: ${rectText(current.rect)}${confidenceText(current)}, version ${current.version} by ${current.author}`
    : "No ROI yet.";
  if (!current && suggestion) text += ` Suggestion ${rectText(suggestion)}${confidenceText(suggestion)} (dashed): Enter accepts it.`;
  if (dirty && roi) text += ` Drawn ${rectText(roi)}, not saved: S saves it.`;
  document.getElementById("roi-status").textContent = text;
}

const rectText = (r) => `${r.x},${r.y} ${r.width}×${r.height}`;
// An automatic box's confidence (the server says whether it is low): a low one is marked in words, as on
// the command line, and its box is drawn in red.
const confidenceText = (r) =>
  r.confidence === undefined || r.confidence === null ? ""
    : r.lowConfidence ? `, LOW CONFIDENCE (${r.confidence.toFixed(2)}): check it before use` : `, confidence ${r.confidence.toFixed(2)}`;

function renderNotes() {
  const list = document.getElementById("notes");
  list.replaceChildren(...detail.notes.map((note) =>
    element("li", {}, `${note.text} `, element("small", {}, `— ${note.author}, ${note.createdAt.slice(0, 16).replace("T", " ")}`))));
}

function renderHistory() {
  const rows = [
    ...detail.labels.map((v) => ({ what: "label", ...v, value: v.label })),
    ...detail.rois.map((v) => ({ what: v.suggestion ? "ROI (suggested)" : "ROI", ...v, value: rectText(v.rect) + confidenceText(v) })),
  ].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  document.querySelector("#history tbody").replaceChildren(...rows.map((row) =>
    element("tr", {}, element("td", {}, row.what), element("td", {}, String(row.version)),
      element("td", {}, row.value + (row.adjudicated ? " ✔" : "")), element("td", {}, row.author),
      element("td", {}, row.createdAt.slice(0, 19).replace("T", " ")))));
}

// MARK: - Drawing

function fitCanvas() {
  canvas.width = video.clientWidth || space().width;
  canvas.height = video.clientHeight || space().height;
  draw();
}

function draw() {
  if (!detail) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  const s = scale();
  if (suggestion && (!roi || dirty)) {
    context.setLineDash([6, 4]);
    context.strokeStyle = suggestion.lowConfidence ? "#cf222e" : "#f0b429";
    context.lineWidth = 2;
    context.strokeRect(suggestion.x * s, suggestion.y * s, suggestion.width * s, suggestion.height * s);
    context.setLineDash([]);
  }
  if (roi) {
    drawGrid(roi, s);
    context.strokeStyle = dirty ? "#58a6ff" : "#3fb950";
    context.lineWidth = 2;
    context.strokeRect(roi.x * s, roi.y * s, roi.width * s, roi.height * s);
    context.fillStyle = context.strokeStyle;
    context.fillRect((roi.x + roi.width) * s - 5, (roi.y + roi.height) * s - 5, 10, 10);
  }
  const column = pinnedColumn ?? hoverColumn;
  if (column !== null) {
    context.strokeStyle = pinnedColumn !== null ? "#ff7b72" : "rgba(255,255,255,0.5)";
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(column * s + 0.5, 0);
    context.lineTo(column * s + 0.5, canvas.height);
    context.stroke();
  }
}

// The recipe's tiles: whole tiles from the ROI's top-left corner, the top two rows or all
// (as TileGrid.tiles in Sources/Plugins/Tiling cuts them).
function drawGrid(rect, s) {
  const size = Number(document.getElementById("tile").value);
  if (!size) return;
  const rowsChoice = document.getElementById("rows").value;
  const columns = Math.floor(rect.width / size);
  let rows = Math.floor(rect.height / size);
  if (rowsChoice !== "all") rows = Math.min(rows, Number(rowsChoice));
  context.strokeStyle = "rgba(88,166,255,0.85)";
  context.lineWidth = 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      context.strokeRect((rect.x + c * size) * s, (rect.y + r * size) * s, size * s, size * s);
    }
  }
}

function point(event) {
  const box = canvas.getBoundingClientRect();
  const s = scale();
  const x = Math.round((event.clientX - box.left) / s);
  const y = Math.round((event.clientY - box.top) / s);
  return { x: Math.max(0, Math.min(space().width, x)), y: Math.max(0, Math.min(space().height, y)) };
}

function inside(p, r) {
  return r && p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

canvas.addEventListener("mousedown", (event) => {
  const p = point(event);
  const handle = 8 / scale();
  if (roi && Math.abs(p.x - (roi.x + roi.width)) <= handle && Math.abs(p.y - (roi.y + roi.height)) <= handle) {
    drag = { mode: "resize", start: p, original: { ...roi }, moved: false };
  } else if (inside(p, roi)) {
    drag = { mode: "move", start: p, original: { ...roi }, moved: false };
  } else {
    drag = { mode: "draw", start: p, original: null, moved: false };
  }
});

window.addEventListener("mousemove", (event) => {
  if (!detail) return;
  const p = point(event);
  if (!drag) {
    const box = canvas.getBoundingClientRect();
    if (event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom) {
      hoverColumn = Math.min(space().width - 1, p.x);
      if (pinnedColumn === null) scheduleMmode(hoverColumn);
      draw();
    }
    return;
  }
  const dx = p.x - drag.start.x;
  const dy = p.y - drag.start.y;
  if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
  if (!drag.moved) return;
  const { width, height } = space();
  if (drag.mode === "draw") {
    roi = { x: Math.min(p.x, drag.start.x), y: Math.min(p.y, drag.start.y), width: Math.abs(dx), height: Math.abs(dy) };
  } else if (drag.mode === "move") {
    const o = drag.original;
    roi = { ...o, x: Math.max(0, Math.min(width - o.width, o.x + dx)), y: Math.max(0, Math.min(height - o.height, o.y + dy)) };
  } else {
    const o = drag.original;
    roi = { ...o, width: Math.max(1, Math.min(width - o.x, o.width + dx)), height: Math.max(1, Math.min(height - o.y, o.height + dy)) };
  }
  dirty = true;
  draw();
});

window.addEventListener("mouseup", (event) => {
  if (!drag) return;
  const clicked = !drag.moved;
  drag = null;
  if (clicked) {
    // A click without a drag pins the M-mode column (or unpins it).
    const p = point(event);
    pinnedColumn = pinnedColumn === null ? Math.min(space().width - 1, p.x) : null;
    if (pinnedColumn !== null) showMmode(pinnedColumn);
    document.getElementById("mmode-caption").textContent = pinnedColumn === null
      ? "M-mode: move over the video; click to pin a column"
      : `M-mode of column ${pinnedColumn} (pinned; click the frame to unpin)`;
  } else if (roi && (roi.width < 2 || roi.height < 2)) {
    roi = null;
    dirty = false;
  }
  renderRoiStatus();
  draw();
});

// MARK: - M-mode

function scheduleMmode(column) {
  clearTimeout(mmodeTimer);
  mmodeTimer = setTimeout(() => showMmode(column), 120);
}

function showMmode(column) {
  if (!detail.conversion) return;
  mmode.src = `/media/conversions/${detail.conversion.id}/mmode.png?x=${column}`;
  if (pinnedColumn === null) document.getElementById("mmode-caption").textContent = `M-mode of column ${column}`;
}

// MARK: - Playback

function frameNumber() {
  return Math.min(space().frames - 1, Math.floor(video.currentTime * fps() + 1e-3));
}

function showTime() {
  document.getElementById("time").textContent = `${video.currentTime.toFixed(3)} s · frame ${frameNumber()} of ${space().frames}`;
}

function step(delta) {
  video.pause();
  const frame = Math.max(0, Math.min(space().frames - 1, frameNumber() + delta));
  video.currentTime = (frame + 0.5) / fps();
}

function togglePlay() {
  if (video.paused) video.play(); else video.pause();
}

video.addEventListener("loadedmetadata", fitCanvas);
video.addEventListener("timeupdate", showTime);
video.addEventListener("seeked", showTime);
video.addEventListener("play", () => { document.getElementById("play").textContent = "Pause"; tick(); });
video.addEventListener("pause", () => { document.getElementById("play").textContent = "Play"; showTime(); });
window.addEventListener("resize", fitCanvas);

function tick() {
  showTime();
  if (!video.paused) requestAnimationFrame(tick);
}

document.getElementById("play").addEventListener("click", togglePlay);
document.getElementById("back").addEventListener("click", () => step(-1));
document.getElementById("forward").addEventListener("click", () => step(1));
document.getElementById("speed").addEventListener("change", (event) => { video.playbackRate = Number(event.target.value); });
document.getElementById("tile").addEventListener("change", draw);
document.getElementById("rows").addEventListener("change", draw);

// MARK: - Writes

async function write(path, body, done) {
  try {
    detail = await api(`/api/videos/${videoID}/${path}`, body);
    say(done);
    render();
  } catch (error) {
    say(error.message, true);
    if (error.status === 409) {
      // Someone else changed it: show what is there now; the drawn box stays to be saved again.
      detail = await api(`/api/videos/${videoID}`);
      render();
    }
  }
}

function setLabel(label) {
  return write("label", { label, base: detail.labelBase }, `label set to ${label}`);
}

function saveRoi(rect) {
  if (!detail.conversion) return say("the video has no conversion to draw on", true);
  const body = { conversion: detail.conversion.id, ...rect, base: detail.roiBase };
  if (document.getElementById("use-range").checked) {
    body.frameStart = Number(document.getElementById("range-start").value);
    body.frameEnd = Number(document.getElementById("range-end").value);
  }
  dirty = false;
  return write("roi", body, `ROI ${rectText(rect)} saved`);
}

for (const button of document.querySelectorAll(".labels button")) {
  button.addEventListener("click", () => setLabel(button.dataset.label));
}
document.getElementById("save-roi").addEventListener("click", () => (roi ? saveRoi(roi) : say("draw an ROI first", true)));
document.getElementById("accept").addEventListener("click", acceptSuggestion);
document.getElementById("add-note").addEventListener("click", () => {
  const text = document.getElementById("note").value;
  write("notes", { text }, "note added").then(() => { document.getElementById("note").value = ""; });
});
document.getElementById("next").addEventListener("click", goNext);

function acceptSuggestion() {
  if (!suggestion) return say("there is no suggestion to accept", true);
  roi = { x: suggestion.x, y: suggestion.y, width: suggestion.width, height: suggestion.height };
  return saveRoi(roi);
}

async function goNext() {
  const { next } = await api(`/api/videos/${videoID}/next`);
  if (next) location.href = `/videos/${next}`;
  else say("no other video needs work");
}

document.addEventListener("keydown", (event) => {
  if (event.target.matches("input, textarea, select")) return;
  const keys = {
    " ": togglePlay, ArrowLeft: () => step(-1), ArrowRight: () => step(1),
    p: () => setLabel("present"), a: () => setLabel("absent"), u: () => setLabel("unknown"),
    Enter: acceptSuggestion, s: () => (roi ? saveRoi(roi) : say("draw an ROI first", true)), n: goNext,
  };
  const action = keys[event.key] ?? keys[event.key.toLowerCase()];
  if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  action();
});

load().catch((error) => say(error.message, true));
