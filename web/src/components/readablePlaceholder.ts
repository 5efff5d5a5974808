/** Mantine's date pickers and file inputs draw their placeholder as text of 2.9:1 on white;
 * this is 4.5:1+. */
export const READABLE_PLACEHOLDER = { placeholder: { color: "var(--mantine-color-gray-7)" } };
