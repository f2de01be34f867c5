// The review page: videos whose annotators disagree, side by side, and a reviewer's decision
// recorded as the adjudicated version (through the same label and ROI plugins as every edit).
import { api, say, element } from "./common.js";

const colours = ["#ff7b72", "#58a6ff", "#3fb950", "#d2a8ff", "#f0b429"];
const container = document.getElementById("review");
const iou = document.getElementById("iou");

async function load() {
  const items = await api(`/api/review?iou=${encodeURIComponent(iou.value)}`);
  container.replaceChildren(items.length ? element("div", { class: "cards" }, ...items.map(card))
    : element("p", {}, "No disagreement to settle."));
}

function card(item) {
  const video = element("video", { muted: "", preload: "metadata", playsinline: "" });
  const canvas = element("canvas");
  const stage = element("div", { class: "stage" }, video, canvas);
  const authors = [...new Set([...item.labels.map((s) => s.author), ...item.rois.map((s) => s.author)])];
  const colour = (author) => colours[authors.indexOf(author) % colours.length];
  if (item.conversion) {
    video.src = `/media/conversions/${item.conversion}/video.mp4`;
    video.addEventListener("loadedmetadata", () => { video.currentTime = Math.min(0.5, video.duration / 2); });
    video.addEventListener("seeked", () => {
      canvas.width = video.clientWidth;
      canvas.height = video.clientHeight;
      const s = canvas.width / item.width;
      const context = canvas.getContext("2d");
      for (const side of item.rois) {
        context.strokeStyle = colour(side.author);
        context.lineWidth = 2;
        context.strokeRect(side.rect.x * s, side.rect.y * s, side.rect.width * s, side.rect.height * s);
      }
    });
  }
  const decide = async (path, body, text) => {
    try {
      await api(`/api/videos/${item.video}/${path}`, { ...body, adjudicated: true });
      say(`${item.video}: ${text}`);
      await load();
    } catch (error) {
      say(`${item.video}: ${error.message}`, true);
      await load();
    }
  };
  const swatch = (author) => { const s = element("span", { class: "swatch" }); s.style.background = colour(author); return s; };
  const labelSides = item.labels.map((side) => element("div", { class: "side" },
    element("span", {}, swatch(side.author), `${side.author}: `, element("strong", { class: `label ${side.value}` }, side.value),
      ` v${side.version}${side.adjudicated ? " (decided)" : ""}`),
    element("button", { onclick: () => decide("label", { label: side.value, base: item.labelBase }, `label ${side.value} adjudicated`) }, "Choose")));
  const roiSides = item.rois.map((side) => element("div", { class: "side" },
    element("span", {}, swatch(side.author), `${side.author}: ${side.rect.x},${side.rect.y} ${side.rect.width}×${side.rect.height} v${side.version}`
      + (side.lowConfidence ? `, LOW CONFIDENCE (${side.confidence.toFixed(2)})` : "")),
    element("button", { onclick: () => decide("roi", { conversion: item.conversion, ...side.rect, base: item.roiBase }, "ROI adjudicated") }, "Choose")));
  return element("div", { class: "card" },
    element("h2", {}, element("a", { href: `/videos/${item.video}` }, item.fileName), " ", element("small", {}, `patient ${item.patient}`)),
    stage,
    item.labelDisagrees ? element("div", {}, element("h3", {}, "Labels differ"), ...labelSides) : "",
    item.roiDisagrees ? element("div", {}, element("h3", {}, `ROIs differ (lowest IoU ${item.lowestIoU?.toFixed(2)})`), ...roiSides) : "");
}

iou.addEventListener("change", () => load().catch((error) => say(error.message, true)));
load().catch((error) => say(error.message, true));
