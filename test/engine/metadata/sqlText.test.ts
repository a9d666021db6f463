import { describe, expect, it } from "vitest"
import { checkSelectStatement } from "../../../src/engine/metadata/sqlText.js"
import { expectCode } from "./helpers.js"

describe("checkSelectStatement", () => {
  it.each([
    ["SELECT COUNT(uuid) FROM streams", "SELECT COUNT(uuid) FROM streams"],
    ["  select 1", "  select 1"],
    ["(select 1) union (select 2)", "(select 1) union (select 2)"],
    ["WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) SELECT * FROM x"],
    ["-- leading comment\nselect 1", "-- leading comment\nselect 1"],
    ["/* a /* nested */ comment */ select 1", "/* a /* nested */ comment */ select 1"],
    ["select 1;", "select 1"],
    ["select 1 ;; -- done", "select 1 "],
    ["select 1; /* c */ ", "select 1"],
    ["select ';' as a", "select ';' as a"],
    ["select 'it''s; fine'", "select 'it''s; fine'"],
    ["select E'\\'; still a string' x", "select E'\\'; still a string' x"],
    ["select \"a;b\" from streams", "select \"a;b\" from streams"],
    ["select $$;$$", "select $$;$$"],
    ["select $tag$ ; $ $tag$", "select $tag$ ; $ $tag$"],
    ["select $1::text; ", "select $1::text"],
    ["select 1 -- ; drop table streams", "select 1 -- ; drop table streams"]
  ])("accepts %j", (text, body) => {
    expect(checkSelectStatement(text)).toBe(body)
  })

  it.each([
    "",
    "   ",
    "-- only a comment",
    ";",
    "INSERT INTO streams VALUES (1)",
    "update streams set name = 'x'",
    "DELETE FROM streams",
    "drop table streams",
    "create table t (a int)",
    "truncate streams",
    "alter table streams add column x int",
    "explain select 1",
    "set role postgres",
    "copy streams to stdout",
    "values (1)",
    "table streams",
    "select 1; select 2",
    "select 1; drop table streams",
    "select 1;\n-- x\ndelete from streams",
    "select ';'; delete from streams",
    "select $$;$$; delete from streams",
    "'select' 1",
    "selectx 1"
  ])("refuses %j with 441", async (text) => {
    await expectCode(() => checkSelectStatement(text), 441)
  })
})
