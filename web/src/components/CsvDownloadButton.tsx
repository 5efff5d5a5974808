/**
 * A CSV the API streams (`?format=csv`), saved as a file: the bytes are counted as they
 * arrive (the stream has no length to show a share of), the button stays busy until the
 * file is whole, and a refusal is said in words next to it.
 */
import { Button, Group, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";

import { rawFetch } from "../api/client";
import { problemText } from "./ProblemAlert";

async function readCounting(response: Response, onBytes: (received: number) => void): Promise<Blob> {
  const reader = response.body?.getReader();
  if (!reader) return response.blob();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onBytes(received);
  }
  return new Blob(chunks as BlobPart[], { type: "text/csv" });
}

function save(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toLocaleString(undefined, { maximumFractionDigits: 0 })} KB`;
}

/** `path` with its query (the filters shown); `format=csv` is added here. */
export function CsvDownloadButton({ path, fileName, label = "Download CSV" }: { path: string; fileName: string; label?: string }) {
  const [received, setReceived] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function download() {
    setError(null);
    setReceived(0);
    try {
      const url = `${path}${path.includes("?") ? "&" : "?"}format=csv`;
      save(await readCounting(await rawFetch(url), setReceived), fileName);
    } catch (caught) {
      setError(caught);
    } finally {
      setReceived(null);
    }
  }

  return (
    <Group gap="xs">
      <Button variant="default" leftSection={<IconDownload size={16} />} loading={received !== null} onClick={() => void download()}>
        {label}
      </Button>
      <Text size="xs" c="dimmed" aria-live="polite">
        {received !== null ? `${sizeText(received)} received…` : ""}
      </Text>
      {error !== null && <Text size="sm" c="red.8" role="alert">{problemText(error)}</Text>}
    </Group>
  );
}
