// The match indexes: two side tables derived from the entity documents by SQLite triggers, so
// that they stay true on every write, the server's own and a test's direct `json_set` alike.
//
//   idx_key  (tbl, key, id)          the keys an entity is found under (the backend's
//                                    "emit_for_delegates"): each secure delegation's delegate; the
//                                    delegation key itself (and its keysEquivalences) when the
//                                    delegate or the delegator is anonymous; legacy delegatedTo.
//   idx_attr (tbl, attr, value, id)  what filters select on: secret foreign keys, tags and codes
//                                    (type and type+code), service tags/codes/ids (contacts),
//                                    normalised SSIN and date of birth (patients).
//   idx_svc  (attr, value, cid, sid, date)  the services of contacts, for the Service filters:
//                                    "all" (value: the service id), "tag"/"code" (type+code),
//                                    "tagtype"/"codetype", "he" (health element id of a
//                                    sub-contact linking the service); date: the service's
//                                    valueDate, else openingDate.
//
// Deleted entities (deletionDate set) and documents that are not valid JSON are not indexed.
// Only built-in SQL functions are used, so another connection (a test tampering with the file)
// runs the same triggers.
#include <algorithm>
#include <string>

#include "db.hpp"
#include "sqlite_stmt.hpp"

namespace devserver {

namespace {

constexpr const char* kIndexVersion = "2";
constexpr const char* kIndexedTables[] = {table::kHealthElements, table::kPatients, table::kDocuments, table::kContacts};

// The document being indexed, or '{}' when it is deleted or not JSON (json_each would fail on it).
const std::string kDoc =
    "(CASE WHEN json_valid(new.doc) THEN CASE WHEN json_extract(new.doc, '$.deletionDate') IS NULL THEN new.doc "
    "ELSE '{}' END ELSE '{}' END)";

std::string obj(const char* alias) {
  return std::string("(CASE WHEN ") + alias + ".type = 'object' THEN " + alias + ".value ELSE '{}' END)";
}
std::string field(const char* alias, const char* path) { return "json_extract(" + obj(alias) + ", '" + path + "')"; }

std::string anonymous_side(const char* alias) {
  return std::string(alias) + ".type = 'object' AND (" + field(alias, "$.delegate") + " IS NULL OR " +
         field(alias, "$.delegator") + " IS NULL)";
}

std::string key_rows(const std::string& tbl) {
  const std::string sd = "json_each(" + kDoc + ", '$.securityMetadata.secureDelegations')";
  return "INSERT OR IGNORE INTO idx_key (tbl, key, id) SELECT '" + tbl + "', k, new.id FROM ("
         "SELECT " + field("sd", "$.delegate") + " AS k FROM " + sd + " AS sd "
         "UNION ALL SELECT sd.key FROM " + sd + " AS sd WHERE " + anonymous_side("sd") +
         " UNION ALL SELECT eq.key FROM json_each(" + kDoc + ", '$.securityMetadata.keysEquivalences') AS eq JOIN " + sd +
         " AS sd ON sd.key = eq.value WHERE " + anonymous_side("sd") +
         " UNION ALL SELECT " + field("d", "$.delegatedTo") + " FROM json_each(" + kDoc +
         ", '$.delegations') AS l, json_each(CASE WHEN l.type = 'array' THEN l.value ELSE '[]' END) AS d"
         ") WHERE typeof(k) = 'text';";
}

// Rows (attr, value) for the tags or codes at `path` of the object `source`, named `prefix` + "tag" etc.
std::string tag_rows(const std::string& source, const char* path, const std::string& name) {
  const std::string each = " FROM json_each(" + source + ", '" + path + "') AS e";
  return "SELECT '" + name + "' AS a, " + field("e", "$.type") + " || char(31) || " + field("e", "$.code") + " AS v" +
         each + " UNION ALL SELECT '" + name + "type', " + field("e", "$.type") + each;
}

std::string service_rows() {
  const std::string services = " FROM json_each(" + kDoc + ", '$.services') AS s";
  auto of_services = [&](const char* path, const char* name) {
    const std::string each = services + ", json_each(" + obj("s") + ", '" + path + "') AS e";
    return std::string("SELECT '") + name + "', " + field("e", "$.type") + " || char(31) || " + field("e", "$.code") +
           each + " UNION ALL SELECT '" + name + "type', " + field("e", "$.type") + each;
  };
  return of_services("$.tags", "stag") + " UNION ALL " + of_services("$.codes", "scode") + " UNION ALL SELECT 'svc', " +
         field("s", "$.id") + services;
}

std::string patient_rows() {
  const std::string ssin = "json_extract(" + kDoc + ", '$.ssin')";
  const std::string dob = "json_extract(" + kDoc + ", '$.dateOfBirth')";
  return "SELECT 'ssin', CASE WHEN typeof(" + ssin + ") = 'text' THEN replace(replace(replace(replace(replace(replace(" + ssin +
         ", ' ', ''), '.', ''), '-', ''), '/', ''), char(9), ''), '_', '') END UNION ALL SELECT 'dob', CASE WHEN typeof(" +
         dob + ") = 'integer' AND " + dob + " >= 0 THEN printf('%012d', " + dob + ") END";
}

std::string attr_rows(const std::string& tbl) {
  std::string rows = "SELECT 'sfk' AS a, e.value AS v FROM json_each(" + kDoc + ", '$.secretForeignKeys') AS e WHERE e.type = 'text'";
  rows += " UNION ALL " + tag_rows(kDoc, "$.tags", "tag") + " UNION ALL " + tag_rows(kDoc, "$.codes", "code");
  if (tbl == table::kContacts) rows += " UNION ALL " + service_rows();
  if (tbl == table::kPatients) rows += " UNION ALL " + patient_rows();
  return "INSERT OR IGNORE INTO idx_attr (tbl, attr, value, id) SELECT '" + tbl + "', a, v, new.id FROM (" + rows +
         ") WHERE typeof(v) = 'text';";
}

// The rows of idx_svc for a contact (see the file comment).
std::string service_index_rows() {
  const std::string services = " FROM json_each(" + kDoc + ", '$.services') AS s";
  const std::string sid = field("s", "$.id");
  const std::string date = "COALESCE(" + field("s", "$.valueDate") + ", " + field("s", "$.openingDate") + ")";
  auto of_services = [&](const char* path, const char* name) {
    const std::string each = services + ", json_each(" + obj("s") + ", '" + path + "') AS e";
    return "SELECT " + sid + " AS sid, '" + name + "' AS a, " + field("e", "$.type") + " || char(31) || " +
           field("e", "$.code") + " AS v, " + date + " AS d" + each + " UNION ALL SELECT " + sid + ", '" + name +
           "type', " + field("e", "$.type") + ", " + date + each;
  };
  const std::string links = " FROM json_each(" + kDoc + ", '$.subContacts') AS sc, json_each(" + obj("sc") +
                            ", '$.services') AS l";
  const std::string rows = "SELECT " + sid + " AS sid, 'all' AS a, " + sid + " AS v, " + date + " AS d" + services +
                           " UNION ALL " + of_services("$.tags", "tag") + " UNION ALL " + of_services("$.codes", "code") +
                           " UNION ALL SELECT " + field("l", "$.serviceId") + ", 'he', " +
                           field("sc", "$.healthElementId") + ", NULL" + links;
  return "INSERT OR IGNORE INTO idx_svc (attr, value, cid, sid, date) SELECT a, v, new.id, sid, "
         "CASE WHEN typeof(d) = 'integer' THEN d END FROM (" + rows +
         ") WHERE typeof(sid) = 'text' AND typeof(v) = 'text';";
}

std::string clear_rows(const std::string& tbl, const char* row) {
  std::string out = "DELETE FROM idx_key WHERE tbl = '" + tbl + "' AND id = " + row + ".id; DELETE FROM idx_attr WHERE tbl = '" +
                    tbl + "' AND id = " + row + ".id;";
  if (tbl == table::kContacts) out += std::string(" DELETE FROM idx_svc WHERE cid = ") + row + ".id;";
  return out;
}

}  // namespace

void Db::create_indexes() {
  exec("CREATE TABLE IF NOT EXISTS idx_key (tbl TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, "
       "PRIMARY KEY (tbl, key, id)) WITHOUT ROWID");
  exec("CREATE TABLE IF NOT EXISTS idx_attr (tbl TEXT NOT NULL, attr TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL, "
       "PRIMARY KEY (tbl, attr, value, id)) WITHOUT ROWID");
  exec("CREATE INDEX IF NOT EXISTS idx_key_by_id ON idx_key (tbl, id)");
  exec("CREATE INDEX IF NOT EXISTS idx_attr_by_id ON idx_attr (tbl, id)");
  exec("CREATE TABLE IF NOT EXISTS idx_svc (attr TEXT NOT NULL, value TEXT NOT NULL, cid TEXT NOT NULL, sid TEXT NOT NULL, "
       "date INTEGER, PRIMARY KEY (attr, value, cid, sid)) WITHOUT ROWID");
  exec("CREATE INDEX IF NOT EXISTS idx_svc_by_cid ON idx_svc (cid, attr)");
  exec("BEGIN IMMEDIATE");
  try {
    for (const char* t : kIndexedTables) {
      const std::string tbl = t;
      exec(("DROP TRIGGER IF EXISTS idx_" + tbl + "_ins").c_str());
      exec(("DROP TRIGGER IF EXISTS idx_" + tbl + "_upd").c_str());
      exec(("DROP TRIGGER IF EXISTS idx_" + tbl + "_del").c_str());
      std::string fill = key_rows(tbl) + " " + attr_rows(tbl);
      if (tbl == table::kContacts) fill += " " + service_index_rows();
      // INSERT OR REPLACE does not fire the delete trigger: the insert trigger clears first.
      exec(("CREATE TRIGGER idx_" + tbl + "_ins AFTER INSERT ON " + tbl + " BEGIN " + clear_rows(tbl, "new") + " " + fill +
            " END")
               .c_str());
      exec(("CREATE TRIGGER idx_" + tbl + "_upd AFTER UPDATE ON " + tbl + " BEGIN " + clear_rows(tbl, "old") + " " +
            clear_rows(tbl, "new") + " " + fill + " END")
               .c_str());
      exec(("CREATE TRIGGER idx_" + tbl + "_del AFTER DELETE ON " + tbl + " BEGIN " + clear_rows(tbl, "old") + " END").c_str());
    }
    // A database written before these indexes (or by another version of them) is indexed now.
    if (meta("index_version").value_or("") != kIndexVersion) {
      exec("DELETE FROM idx_key");
      exec("DELETE FROM idx_attr");
      exec("DELETE FROM idx_svc");
      for (const char* t : kIndexedTables) exec(("UPDATE " + std::string(t) + " SET doc = doc").c_str());
      set_meta("index_version", kIndexVersion);
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::vector<std::string> Db::indexed_ids(const IndexQuery& q) {
  const json keys(q.keys);
  std::string sql;
  if (q.attr.empty()) {
    sql = "SELECT id FROM idx_key WHERE tbl = ?1 AND key IN (SELECT value FROM json_each(?2))";
  } else {
    // Driven by the (usually selective) attribute, each row checked against the keys by primary key.
    const std::string value_clause =
        q.range ? "a.value BETWEEN ?4 AND ?5" : q.prefix ? "a.value >= ?4 AND a.value < ?5" : "a.value IN (SELECT value FROM json_each(?4))";
    // No ORDER BY / DISTINCT here: the planner would then walk the by-id index of the whole table.
    sql = "SELECT a.id FROM idx_attr AS a CROSS JOIN idx_key AS k WHERE a.tbl = ?1 AND a.attr = ?3 AND " + value_clause +
          " AND k.tbl = ?1 AND k.key IN (SELECT value FROM json_each(?2)) AND k.id = a.id";
  }
  Stmt st(db_, sql);
  st.bind(1, std::string(q.table)).bind(2, keys.dump());
  if (!q.attr.empty()) {
    st.bind(3, q.attr);
    if (q.range) {
      st.bind(4, q.range->first).bind(5, q.range->second);
    } else if (q.prefix) {
      st.bind(4, *q.prefix).bind(5, *q.prefix + "\xf4\x8f\xbf\xbf");  // U+10FFFF: above every continuation
    } else {
      st.bind(4, json(q.values).dump());
    }
  }
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> Db::ids_with_attr(const char* tbl, const std::string& attr, const std::vector<std::string>& values) {
  Stmt st(db_,
          "SELECT DISTINCT id FROM idx_attr WHERE tbl = ?1 AND attr = ?2 AND value IN (SELECT value FROM json_each(?3)) "
          "ORDER BY id");
  st.bind(1, std::string(tbl)).bind(2, attr).bind(3, json(values).dump());
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::vector<std::pair<std::string, std::optional<std::int64_t>>> Db::numbers_of(const char* tbl,
                                                                                 const std::vector<std::string>& ids,
                                                                                 const std::string& path) {
  Stmt st(db_, "SELECT t.id, CASE WHEN json_valid(t.doc) THEN json_extract(t.doc, ?2) END FROM json_each(?1) AS i JOIN " +
                   std::string(tbl) + " AS t ON t.id = i.value");
  st.bind(1, json(ids).dump()).bind(2, path);
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> out;
  while (st.step()) {
    std::optional<std::int64_t> n;
    if (st.is_number(1)) n = st.integer(1);
    out.emplace_back(st.text(0), n);
  }
  return out;
}

}  // namespace devserver

namespace devserver {

std::vector<ServiceRow> Db::service_rows(const ServiceQuery& q) {
  const bool every = q.attr == "all" && q.values.empty();
  std::string sql;
  if (every && q.secret_foreign_keys) {
    // Driven by the patient's contacts (selective), then their services.
    sql = "SELECT s.cid, s.sid, s.value, s.date FROM idx_attr AS a CROSS JOIN idx_key AS k CROSS JOIN idx_svc AS s "
          "WHERE a.tbl = 'contacts' AND a.attr = 'sfk' AND a.value IN (SELECT value FROM json_each(?3)) "
          "AND k.tbl = 'contacts' AND k.key IN (SELECT value FROM json_each(?1)) AND k.id = a.id "
          "AND s.cid = a.id AND s.attr = 'all'";
  } else if (every) {
    sql = "SELECT s.cid, s.sid, s.value, s.date FROM idx_key AS k CROSS JOIN idx_svc AS s WHERE k.tbl = 'contacts' "
          "AND k.key IN (SELECT value FROM json_each(?1)) AND s.cid = k.id AND s.attr = 'all'";
  } else {
    sql = "SELECT s.cid, s.sid, s.value, s.date FROM idx_svc AS s CROSS JOIN idx_key AS k WHERE s.attr = ?2 "
          "AND s.value IN (SELECT value FROM json_each(?4)) AND k.tbl = 'contacts' "
          "AND k.key IN (SELECT value FROM json_each(?1)) AND k.id = s.cid";
    if (q.secret_foreign_keys) {
      sql += " AND EXISTS (SELECT 1 FROM idx_attr AS a WHERE a.tbl = 'contacts' AND a.id = s.cid AND a.attr = 'sfk' "
             "AND a.value IN (SELECT value FROM json_each(?3)))";
    }
  }
  Stmt st(db_, sql);
  st.bind(1, json(q.keys).dump());
  if (!every) st.bind(2, q.attr).bind(4, json(q.values).dump());
  if (q.secret_foreign_keys) st.bind(3, json(*q.secret_foreign_keys).dump());
  std::vector<ServiceRow> out;
  while (st.step()) {
    ServiceRow r{st.text(0), st.text(1), st.text(2), std::nullopt};
    if (st.is_number(3)) r.date = st.integer(3);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Db::contacts_of_services(const std::vector<std::string>& service_ids) {
  Stmt st(db_, "SELECT s.value, s.cid FROM json_each(?1) AS i JOIN idx_svc AS s ON s.attr = 'all' AND s.value = i.value");
  st.bind(1, json(service_ids).dump());
  std::vector<std::pair<std::string, std::string>> out;
  while (st.step()) out.emplace_back(st.text(0), st.text(1));
  return out;
}

}  // namespace devserver
