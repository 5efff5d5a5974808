/** A chosen file shown before it is sent: an image as itself, a PDF in a frame, else its name. */
import { Image, Paper, Text } from "@mantine/core";
import { useEffect, useState } from "react";

function useObjectUrl(file: File): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const created = URL.createObjectURL(file);
    // The URL is made and freed with the file it points at (an external resource), so
    // that a StrictMode remount never shows a URL already revoked.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [file]);
  return url;
}

export function FilePreview({ file, height = 360 }: { file: File; height?: number }) {
  const url = useObjectUrl(file);
  const title = `Preview of ${file.name}`;
  let shown = <Text size="sm" c="dimmed">No preview for this kind of file.</Text>;
  if (url && file.type.startsWith("image/")) {
    shown = <Image src={url} alt={title} mah={height} fit="contain" />;
  } else if (url && file.type === "application/pdf") {
    shown = <iframe src={url} title={title} style={{ width: "100%", height, border: 0 }} />;
  }
  return (
    <Paper withBorder p="xs" radius="md">
      <Text size="sm" fw={500} mb="xs">{file.name} ({Math.ceil(file.size / 1024).toLocaleString()} KB)</Text>
      {shown}
    </Paper>
  );
}
