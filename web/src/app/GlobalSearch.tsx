/** The header's search: a member ID, claim number or PA number, opened in one step. */
import { Combobox, TextInput, useCombobox } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../api/client";

const SCREEN_OF = {
  enrollee: (id: string) => `/hmo/enrollees/${id}`,
  claim: (id: string) => `/hmo/claims/${id}`,
  authorization: (id: string) => `/hmo/authorizations/${id}`,
} as const;

const KIND_LABEL = { enrollee: "Member", claim: "Claim", authorization: "Authorization" } as const;

export function GlobalSearch() {
  const navigate = useNavigate();
  const combobox = useCombobox();
  const [typed, setTyped] = useState("");
  const [term] = useDebouncedValue(typed.trim(), 250);
  const found = useQuery({
    queryKey: ["search", term],
    enabled: term.length >= 2,
    queryFn: async () => dataOf(await api.GET("/api/search", { params: { query: { q: term } } })),
  });
  const hits = found.data?.items ?? [];
  return (
    <Combobox
      store={combobox}
      onOptionSubmit={(value) => {
        const hit = hits.find((item) => `${item.kind}:${item.id}` === value);
        if (hit) navigate(SCREEN_OF[hit.kind](hit.id));
        setTyped("");
        combobox.closeDropdown();
      }}
    >
      <Combobox.Target>
        <TextInput
          aria-label="Search a member ID, claim or PA number"
          placeholder="Member ID, claim or PA number"
          leftSection={<IconSearch size={16} />}
          value={typed}
          w={{ base: 150, sm: 300 }}
          onChange={(event) => {
            setTyped(event.currentTarget.value);
            combobox.openDropdown();
          }}
          onFocus={() => combobox.openDropdown()}
          onBlur={() => combobox.closeDropdown()}
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={term.length < 2}>
        <Combobox.Options>
          {hits.map((hit) => (
            <Combobox.Option key={`${hit.kind}:${hit.id}`} value={`${hit.kind}:${hit.id}`}>
              <strong>{KIND_LABEL[hit.kind]} {hit.label}</strong> · {hit.detail}
            </Combobox.Option>
          ))}
          {found.isSuccess && hits.length === 0 && <Combobox.Empty>Nothing has that number.</Combobox.Empty>}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
