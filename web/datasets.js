// The dataset page: each sample cube loops through its frames (one tall picture, drawn a frame
// at a time onto its canvas).
const cubes = [...document.querySelectorAll("canvas[data-cube]")];
const frames = new Map();

for (const canvas of cubes) {
  const size = Number(canvas.dataset.size);
  canvas.width = size;
  canvas.height = size;
  const image = new Image();
  image.addEventListener("load", () => frames.set(canvas, { image, count: Math.max(1, Math.floor(image.height / size)), size }));
  image.src = `/media/cubes/${canvas.dataset.cube}/frames.png`;
}

let tick = 0;
setInterval(() => {
  tick += 1;
  for (const [canvas, { image, count, size }] of frames) {
    const frame = tick % count;
    canvas.getContext("2d").drawImage(image, 0, frame * size, size, size, 0, 0, size, size);
  }
}, 120);
