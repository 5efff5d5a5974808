import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from "@mantine/core";

/** Ten shades around one colour (the tenant's primary), light to dark, for Mantine. */
export function shadesOf(hex: string): MantineColorsTuple {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  const mix = (weight: number) => {
    const toward = weight < 0 ? 255 : 0;
    const w = Math.abs(weight);
    const channel = (c: number) => Math.round(c + (toward - c) * w).toString(16).padStart(2, "0");
    return `#${channel(r)}${channel(g)}${channel(b)}`;
  };
  return [mix(-0.9), mix(-0.75), mix(-0.6), mix(-0.4), mix(-0.2), mix(0), mix(0.12), mix(0.25), mix(0.38), mix(0.5)];
}

export const DEFAULT_PRIMARY = "#0b7285";

export function themeFor(primary: string | null | undefined) {
  const colour = /^#[0-9a-fA-F]{6}$/.test(primary ?? "") ? (primary as string) : DEFAULT_PRIMARY;
  return createTheme({
    primaryColor: "brand",
    colors: { brand: shadesOf(colour) },
    primaryShade: 6,
    respectReducedMotion: true,
    defaultRadius: "md",
    fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    // A toast's text under its title is Mantine's gray-6 (3.3:1); the readable dimmed instead.
    components: { Notification: { styles: { description: { color: "var(--mantine-color-dimmed)" } } } },
  });
}

/** Mantine's dimmed grey, its fields' error text and its light variants' text (alerts) in
 * red, green, yellow, orange and blue, are under WCAG's 4.5:1; these read (5:1 or more). */
export const readableVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "#5c636a",
    "--mantine-color-error": "#b3261e",
    "--mantine-color-red-light-color": "#b3261e",
    "--mantine-color-green-light-color": "#25713a",
    "--mantine-color-yellow-light-color": "#7a5400",
    "--mantine-color-orange-light-color": "#a13f00",
    "--mantine-color-blue-light-color": "#1c5fb0",
  },
  dark: {},
});
