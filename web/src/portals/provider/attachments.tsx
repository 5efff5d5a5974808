/**
 * Documents sent with a claim, a PA, an answer or an appeal: chosen first, uploaded once the
 * record exists, one at a time with the upload's progress. A file is dropped from the
 * list once sent, so a retry after a failure sends only what is left.
 */
import { FileInput, Progress } from "@mantine/core";
import { useState } from "react";

import { upload } from "../../api/upload";
import { READABLE_PLACEHOLDER } from "../../components/readablePlaceholder";

const ATTACHMENT_TYPES = "application/pdf,image/png,image/jpeg,image/tiff,text/plain";

export function useAttachments() {
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);

  /** Sends every file still listed to `path` (…/attachments). */
  const sendTo = async (path: string) => {
    const queue = [...files];
    for (const [index, file] of queue.entries()) {
      const body = new FormData();
      body.append("file", file);
      await upload(path, body, (fraction) => setProgress((index + fraction) / queue.length));
      setFiles((current) => current.filter((kept) => kept !== file));
    }
    setProgress(null);
  };
  return { files, setFiles, progress, sendTo };
}

export function AttachmentsInput({ attachments, label = "Attachments", description }: {
  attachments: ReturnType<typeof useAttachments>;
  label?: string;
  description?: string;
}) {
  return (
    <>
      <FileInput
        label={label}
        description={description ?? "PDF, PNG, JPEG, TIFF or text; several at once if needed"}
        placeholder="Choose files"
        styles={READABLE_PLACEHOLDER}
        multiple
        clearable
        clearButtonProps={{ "aria-label": "Remove the attachments" }}
        accept={ATTACHMENT_TYPES}
        value={attachments.files}
        onChange={attachments.setFiles}
      />
      {attachments.progress !== null && <Progress value={attachments.progress * 100} aria-label="Attachment upload" />}
    </>
  );
}
