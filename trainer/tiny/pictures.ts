/**
 * The tiny demo's synthetic pictures, where the caption decides the picture:
 * each person of the seed's validation prompts has a figure and a palette, each
 * accessory a shape drawn on that figure. The training captions cover every
 * person with and without every accessory, so the seed's four validation
 * prompts ("Lebron James with a hat", ...) are inside the distribution and a
 * model that learned the dataset draws the right picture for each.
 *
 * Pictures are SVG rendered by sharp. The figure is drawn in a 64-unit tall
 * frame centred horizontally and is left-right symmetric, so a wider image
 * centre-cropped to its height is the same picture, and --random_flip keeps it.
 */
import sharp from "sharp";

interface Person {
  /** The name as the prompts write it. */
  name: string;
  background: string;
  skin: string;
  /** The shirt or jacket colour. */
  clothes: string;
  /** Head radius and shoulder half-width, in units of a 64-unit tall frame. */
  headRadius: number;
  shoulders: number;
}

const PEOPLE: Person[] = [
  { name: "Lebron James", background: "#552583", skin: "#6b4226", clothes: "#fdb927", headRadius: 9, shoulders: 22 },
  { name: "Mickael Jackson", background: "#c62828", skin: "#e8c09a", clothes: "#f5f5f5", headRadius: 8, shoulders: 14 },
  { name: "Bill Gates", background: "#7ec8f0", skin: "#f2cfb0", clothes: "#1f3a93", headRadius: 10, shoulders: 18 },
  { name: "John Oliver", background: "#3f8f3a", skin: "#f5d5c0", clothes: "#8a8a8a", headRadius: 11, shoulders: 16 },
];

interface Accessory {
  /** How a caption names it after the person's name ("" for none). */
  phrase: string;
  /** SVG drawn over the figure whose head centre is (32, headY) in a 64x64 frame. */
  draw(p: Person, headY: number): string;
  /** Clothes colour the accessory replaces the person's with, if any. */
  clothes?: string;
}

const ACCESSORIES: Accessory[] = [
  { phrase: "", draw: () => "" },
  {
    phrase: "with a hat",
    // A wide brim and a tall crown: a black top hat.
    draw: (p, y) =>
      `<rect x="${32 - p.headRadius - 6}" y="${y - p.headRadius + 1}" width="${2 * p.headRadius + 12}" height="4" fill="#111"/>` +
      `<rect x="${32 - p.headRadius + 1}" y="${y - p.headRadius - 13}" width="${2 * p.headRadius - 2}" height="15" fill="#111"/>`,
  },
  {
    phrase: "as a ninja",
    // A dark mask over the lower face and a headband with a silver plate.
    draw: (p, y) =>
      `<rect x="${32 - p.headRadius}" y="${y + 1}" width="${2 * p.headRadius}" height="${p.headRadius}" fill="#222"/>` +
      `<rect x="${32 - p.headRadius - 1}" y="${y - p.headRadius + 2}" width="${2 * p.headRadius + 2}" height="5" fill="#1a237e"/>` +
      `<rect x="26" y="${y - p.headRadius + 2}" width="12" height="5" fill="#cfd8dc"/>`,
    clothes: "#222222",
  },
  {
    phrase: "with a hoodie",
    // A grey hood around the head, open at the face, and a grey body.
    draw: (p, y) =>
      `<circle cx="32" cy="${y}" r="${p.headRadius + 5}" fill="none" stroke="#9e9e9e" stroke-width="7"/>`,
    clothes: "#9e9e9e",
  },
  {
    phrase: "with Naruto style",
    // Spiky yellow hair, whisker marks and an orange jacket.
    draw: (p, y) => {
      const top = y - p.headRadius;
      const spikes = [-1, -0.5, 0, 0.5, 1]
        .map((k) => {
          const x = 32 + k * p.headRadius;
          return `<polygon points="${x - 5},${top + 4} ${x},${top - 9} ${x + 5},${top + 4}" fill="#ffd600"/>`;
        })
        .join("");
      const whiskers = [-1, 1]
        .map((side) => `<rect x="${32 + side * (p.headRadius / 2) - 3}" y="${y + 2}" width="6" height="2" fill="#3e2723"/>`)
        .join("");
      return spikes + whiskers;
    },
    clothes: "#ff6f00",
  },
];

export interface PictureSpec {
  person: Person;
  accessory: Accessory;
}

/** A caption as the dataset writes it and the prompts read: "Bill Gates with a hoodie", or a name alone. */
export function captionOf({ person, accessory }: PictureSpec): string {
  return accessory.phrase ? `${person.name} ${accessory.phrase}` : person.name;
}

/** Every picture of the dataset: each person alone and with each accessory. */
export function allPictures(): PictureSpec[] {
  return PEOPLE.flatMap((person) => ACCESSORIES.map((accessory) => ({ person, accessory })));
}

/** Every caption the dataset holds. */
export function allCaptions(): string[] {
  return allPictures().map(captionOf);
}

/**
 * The dataset's rows: every picture with its caption, then each person's plain
 * picture with an empty caption. Validation samples with classifier-free
 * guidance (7.5, against the empty prompt), so the model must also learn what
 * an empty prompt looks like, as Stable Diffusion did by dropping captions in
 * training; a model that never saw one extrapolates from noise.
 */
export function datasetRows(): Array<{ spec: PictureSpec; caption: string }> {
  const captioned = allPictures().map((spec) => ({ spec, caption: captionOf(spec) }));
  const uncaptioned = PEOPLE.map((person) => ({ spec: { person, accessory: ACCESSORIES[0] }, caption: "" }));
  return [...captioned, ...uncaptioned];
}

/** The picture a caption names, e.g. a validation prompt's target; throws for a caption outside the dataset. */
export function pictureFor(caption: string): PictureSpec {
  const spec = allPictures().find((s) => captionOf(s) === caption);
  if (!spec) throw new Error(`no tiny demo picture for "${caption}" (known: ${allCaptions().join(", ")})`);
  return spec;
}

/** The picture as SVG, `width` x `height` px, the figure scaled to the height and centred. */
function svg({ person, accessory }: PictureSpec, width: number, height: number): string {
  const headY = 24;
  const shoulderY = headY + person.headRadius + 3;
  const clothes = accessory.clothes ?? person.clothes;
  const s = person.shoulders;
  const figure =
    `<path d="M${32 - s},64 L${32 - s},${shoulderY + 6} Q32,${shoulderY - 4} ${32 + s},${shoulderY + 6} L${32 + s},64 Z" fill="${clothes}"/>` +
    `<circle cx="32" cy="${headY}" r="${person.headRadius}" fill="${person.skin}"/>` +
    accessory.draw(person, headY);
  const scale = height / 64;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="${person.background}"/>` +
    `<g transform="translate(${width / 2 - 32 * scale} 0) scale(${scale})">${figure}</g></svg>`
  );
}

/** The picture as RGB pixels, `width` x `height`, row-major. */
export async function renderPixels(spec: PictureSpec, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(svg(spec, width, height))).removeAlpha().raw().toBuffer();
}

/** The picture as a PNG, `width` x `height`. */
export async function renderPng(spec: PictureSpec, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(svg(spec, width, height))).removeAlpha().png().toBuffer();
}
