-- One transaction of bench/change_history.sh: ten rows copied from the template, at a random
-- place in it (pgbench script; :template_rows comes from -D).
\set start random(0, :template_rows - 10)
INSERT INTO change_row (entity, entity_id, op, data, previous, actor)
  SELECT entity, entity_id, op, data, previous, actor FROM bench_history_template
  WHERE n BETWEEN :start AND :start + 9 ORDER BY n;
