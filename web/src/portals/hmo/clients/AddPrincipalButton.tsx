/** "Add principal": a new family's head, on a client and a plan; opens its screen once made. */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { NO_PERSON, PersonFields, personBody, type PersonValues } from "../../../components/enrollees/PersonFields";
import type { Enrollee } from "../../../components/enrollees/queries";
import { FormDialogButton } from "../../../components/FormDialogButton";
import { choicesOf, useClientChoices, usePlanChoices } from "./queries";

interface PrincipalValues extends PersonValues {
  client_id: string;
  plan_id: string;
  coverage_start: string;
}

export function AddPrincipalButton({ clientId }: { clientId?: string }) {
  const clients = useClientChoices();
  const plans = usePlanChoices();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm<PrincipalValues>({ initialValues: { ...NO_PERSON, client_id: clientId ?? "", plan_id: "", coverage_start: "" } });
  const submit = async (values: PrincipalValues) => {
    const body = { ...personBody(values), client_id: values.client_id, plan_id: values.plan_id, coverage_start: values.coverage_start || undefined };
    return dataOf(await api.POST("/api/enrollees", { body }));
  };
  const opened = (made: unknown) => {
    void queryClient.invalidateQueries({ queryKey: ["enrollees"] });
    navigate(`/hmo/enrollees/${(made as Enrollee).id}`);
  };
  return (
    <FormDialogButton label="Add principal" title="Add a principal" form={form} submit={submit} onDone={opened}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="Client" required searchable data={choicesOf(clients.data)} {...form.getInputProps("client_id")} />
        <Select label="Plan" required searchable data={choicesOf(plans.data?.filter((plan) => plan.is_active))} {...form.getInputProps("plan_id")} />
      </SimpleGrid>
      <PersonFields form={form} />
      <TextInput label="Coverage starts" description="Today when left blank" type="date" {...form.getInputProps("coverage_start")} />
    </FormDialogButton>
  );
}
