/**
 * What both sides show of a remittance: its statements (CSV and the printable advice), its
 * lines with each claim's status, and the payments recorded with their proofs, which open
 * in a preview.
 */
import { Anchor, Button, Group, Modal, Stack } from "@mantine/core";
import { IconPrinter } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router-dom";

import { rawFetch } from "../../api/client";
import type { Schemas } from "../../api/types";
import { formatDate, formatDateTime } from "../../app/format";
import { CsvDownloadButton } from "../CsvDownloadButton";
import { DataTable, type Column } from "../DataTable";
import { FilePreview } from "../FilePreview";
import { Money } from "../Money";
import { ProblemAlert } from "../ProblemAlert";
import { StatusBadge } from "../StatusBadge";
import type { Remittance } from "./queries";

type Line = Schemas["LineRead"];
type Proof = Schemas["ProofRead"];

export function RemittanceStatements({ remittance }: { remittance: Remittance }) {
  return (
    <Group gap="sm">
      <CsvDownloadButton path={`/api/remittances/${remittance.id}`} fileName={`remittance-${remittance.run_number}-${remittance.id}.csv`} />
      <Button
        component="a"
        href={`/api/remittances/${remittance.id}?format=html`}
        target="_blank"
        rel="noopener"
        variant="default"
        leftSection={<IconPrinter size={16} />}
      >
        Printable statement
      </Button>
    </Group>
  );
}

/** `claimPath` opens a line's claim in the portal showing it. */
export function RemittanceLines({ remittance, claimPath }: { remittance: Remittance; claimPath: (claimId: string) => string }) {
  const money = (minor: number) => <Money minor={minor} currency={remittance.currency} />;
  const columns: Column<Line>[] = [
    {
      key: "claim",
      label: "Claim",
      render: (line) =>
        line.claim_id
          ? <Anchor component={Link} to={claimPath(line.claim_id)}>{line.claim_number ?? "Claim"}</Anchor>
          : "Dispute adjustment",
    },
    { key: "status", label: "Claim status", render: (line) => (line.claim_status ? <StatusBadge status={line.claim_status} /> : "—") },
    { key: "billed", label: "Billed", align: "right", render: (line) => money(line.billed) },
    { key: "approved", label: "Approved", align: "right", render: (line) => money(line.approved) },
    { key: "amount", label: "Payable", align: "right", render: (line) => money(line.amount) },
  ];
  return <DataTable caption="Remittance lines" columns={columns} rows={remittance.lines} rowKey={(line) => line.id} empty="No lines." />;
}

function proofPath(remittance: Remittance, proof: Proof): string {
  return `/api/remittances/${remittance.id}/payment-proofs/${proof.id}/file`;
}

/** The proof's file, fetched and shown in a dialog (an image or a PDF as itself). */
function ProofPreviewButton({ remittance, proof }: { remittance: Remittance; proof: Proof }) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const open = async () => {
    setError(null);
    setLoading(true);
    try {
      const response = await rawFetch(proofPath(remittance, proof));
      const blob = await response.blob();
      setFile(new File([blob], `proof-${proof.reference}`, { type: blob.type }));
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };
  return (
    <>
      <Button size="compact-sm" variant="default" loading={loading} onClick={() => void open()} aria-label={`Preview the proof of ${proof.reference}`}>
        Preview
      </Button>
      <ProblemAlert error={error} />
      <Modal opened={file !== null} onClose={() => setFile(null)} title={`Proof of payment ${proof.reference}`} size="xl" closeButtonProps={{ "aria-label": "Close" }}>
        {file && (
          <Stack>
            <FilePreview file={file} height={520} />
            <Anchor href={proofPath(remittance, proof)}>Download the file</Anchor>
          </Stack>
        )}
      </Modal>
    </>
  );
}

export function PaymentProofs({ remittance }: { remittance: Remittance }) {
  const columns: Column<Proof>[] = [
    { key: "reference", label: "Reference", render: (proof) => proof.reference },
    { key: "paid_on", label: "Paid on", render: (proof) => formatDate(proof.paid_on) },
    { key: "amount", label: "Amount", align: "right", render: (proof) => <Money minor={proof.amount} currency={remittance.currency} /> },
    { key: "recorded", label: "Recorded", render: (proof) => formatDateTime(proof.created_at) },
    { key: "file", label: "Proof", render: (proof) => (proof.attachment_id ? <ProofPreviewButton remittance={remittance} proof={proof} /> : "—") },
  ];
  return <DataTable caption="Payments recorded" columns={columns} rows={remittance.payment_proofs} rowKey={(proof) => proof.id} empty="No payment recorded yet." />;
}
