/**
 * A new plan, or a plan's next version: changing its rules starts a version in force from
 * today, earlier days keep theirs. A 409 says someone else changed the plan meanwhile.
 */
import { Button, Group, Skeleton, Stack } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useNavigate, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { PlanForm } from "./PlanForm";
import { usePlan } from "./queries";
import { formErrorsOf, moneyErrors, NEW_PLAN, rulesOf, valuesOf, type Plan, type PlanValues } from "./planForm";

async function save(values: PlanValues, plan: Plan | undefined): Promise<Plan> {
  if (!plan) {
    return dataOf(await api.POST("/api/plans", { body: { code: values.code, name: values.name, currency: values.currency, ...rulesOf(values) } }));
  }
  const body = { version: plan.version, name: values.name, ...rulesOf(values) };
  return dataOf(await api.PATCH("/api/plans/{plan_id}", { params: { path: { plan_id: plan.id } }, body }));
}

export function PlanFormPage() {
  const { planId = "" } = useParams();
  const plan = usePlan(planId);
  const creating = !planId;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<PlanValues>({ initialValues: NEW_PLAN, validate: moneyErrors });
  const { setValues, resetDirty } = form;
  useEffect(() => {
    if (plan.data) {
      setValues(valuesOf(plan.data));
      resetDirty(valuesOf(plan.data));
    }
  }, [plan.data, setValues, resetDirty]);
  const saving = useMutation({
    mutationFn: (values: PlanValues) => save(values, plan.data),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ["plans"] });
      navigate(`/hmo/plans/${saved.id}`);
    },
    onError: (error) => form.setErrors(formErrorsOf(problemOf(error)?.body.errors)),
  });
  if (!creating && plan.error) return <ProblemAlert error={plan.error} />;
  if (!creating && !plan.data) return <Skeleton h={400} />;
  const title = creating ? "New plan" : `Edit ${plan.data?.name ?? ""}`;
  const description = creating ? "Its first version is in force from today." : `Saving starts version ${(plan.data?.current_version_no ?? 0) + 1}, in force from today; earlier days keep the version they were in.`;
  return (
    <>
      <PageHeader title={title} description={description} />
      <form onSubmit={form.onSubmit((values) => saving.mutate(values))} noValidate>
        <Stack>
          <PlanForm form={form} creating={creating} />
          <ProblemAlert error={saving.error} onReload={() => void plan.refetch()} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(creating ? "/hmo/plans" : `/hmo/plans/${planId}`)}>Cancel</Button>
            <Button type="submit" loading={saving.isPending}>{creating ? "Create the plan" : "Save as a new version"}</Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}
