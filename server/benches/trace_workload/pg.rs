//! The PostgreSQL side of the trace workload bench, through `psql` (127.0.0.1:5432, trust,
//! user postgres): load with the workload's own schema.sql and indexes.sql (timed COPY,
//! index build, VACUUM ANALYZE, as its load.sh), time q1/q2/q3 warm (Q2 and Q3 as prepared
//! statements, as the README's reference figures), and read their answers.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A database of the workload.
pub struct Pg {
    pub db: String,
    /// The folder with schema.sql, indexes.sql, q1_recall.sql …
    pub sql: std::path::PathBuf,
}

/// One affected identifier of q1 with its latest event naming it directly.
pub struct Q1Row {
    pub kind: String,
    pub epc: String,
    pub event_id: u64,
    pub location: String,
}

fn psql(db: &str, extra: &[&str], script: &str) -> String {
    let mut child = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ])
        .args(["-d", db])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "psql on {db} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl Pg {
    /// The query file `name` with the psql variable `:'var'` replaced by `value`.
    fn query(&self, name: &str, var: &str, value: &str) -> String {
        let text = std::fs::read_to_string(self.sql.join(name)).unwrap();
        text.replace(&format!(":'{var}'"), value)
    }

    /// Creates the database afresh (`--locale=C`) and loads `dir`'s CSVs: returns the load
    /// time (COPY + indexes + VACUUM ANALYZE) and the database's size.
    pub fn load(&self, dir: &Path) -> (Duration, u64) {
        psql(
            "postgres",
            &[],
            &format!(
                "DROP DATABASE IF EXISTS {0};\nCREATE DATABASE {0} TEMPLATE template0 LOCALE 'C' \
                 ENCODING 'UTF8';\n",
                self.db
            ),
        );
        let copy = |table: &str| {
            let file = dir.join(format!("{table}.csv"));
            format!(
                "\\copy {table} FROM {} WITH (FORMAT csv, FREEZE)\n",
                literal(&file.display().to_string())
            )
        };
        let script = format!(
            "BEGIN;\n\\i {}\n{}{}{}{}COMMIT;\n\\i {}\nVACUUM ANALYZE;\nCHECKPOINT;\n",
            self.sql.join("schema.sql").display(),
            copy("events"),
            copy("event_epcs"),
            copy("aggregations"),
            copy("transformations"),
            self.sql.join("indexes.sql").display(),
        );
        let started = Instant::now();
        psql(&self.db, &[], &script);
        let load = started.elapsed();
        let size = psql(
            &self.db,
            &["-A", "-t"],
            "SELECT pg_database_size(current_database());\n",
        );
        (load, size.trim().parse().unwrap())
    }

    /// Warm timings: each query run `runs` times after one unmeasured run.
    pub fn timings(
        &self,
        lot: &str,
        origin: &str,
        point: &str,
        runs: (usize, usize),
    ) -> [Vec<Duration>; 3] {
        let q1 = self.query("q1_recall.sql", "lot", &literal(lot));
        let q2 = self.query("q2_origin.sql", "epc", "$1");
        let q3 = self.query("q3_point.sql", "epc", "$1");
        let mut script = format!(
            "PREPARE q2(text) AS {q2};\nPREPARE q3(text) AS {q3};\n\\o /dev/null\n{q1};\n\
             EXECUTE q2({0});\nEXECUTE q3({1});\n\\timing on\n",
            literal(origin),
            literal(point)
        );
        for _ in 0..runs.0 {
            script.push_str(&format!("{q1};\n"));
        }
        for (name, arg) in [("q2", origin), ("q3", point)] {
            for _ in 0..runs.1 {
                script.push_str(&format!("EXECUTE {name}({});\n", literal(arg)));
            }
        }
        let out = psql(&self.db, &[], &script);
        let times: Vec<Duration> = out
            .lines()
            .filter_map(|l| l.strip_prefix("Time: "))
            .map(|l| {
                let ms: f64 = l.split_whitespace().next().unwrap().parse().unwrap();
                Duration::from_secs_f64(ms / 1e3)
            })
            .collect();
        assert_eq!(times.len(), runs.0 + 2 * runs.1, "psql timings: {out}");
        let (q1, rest) = times.split_at(runs.0);
        let (q2, q3) = rest.split_at(runs.1);
        [q1.to_vec(), q2.to_vec(), q3.to_vec()]
    }

    /// q1's rows.
    pub fn recall(&self, lot: &str) -> Vec<Q1Row> {
        let q1 = self.query("q1_recall.sql", "lot", &literal(lot));
        psql(&self.db, &["-A", "-t", "-F", "|"], &format!("{q1};\n"))
            .lines()
            .map(|line| {
                let f: Vec<&str> = line.split('|').collect();
                // kind, epc, event_id, event_time, biz_step, disposition, read_point, biz_location
                let location = if f[7].is_empty() { f[6] } else { f[7] };
                Q1Row {
                    kind: f[0].to_owned(),
                    epc: f[1].to_owned(),
                    event_id: f[2].parse().unwrap(),
                    location: location.to_owned(),
                }
            })
            .collect()
    }

    /// The event ids q2 (`name` = "q2_origin.sql", var "epc") or q3 returns, in order.
    pub fn event_ids(&self, name: &str, epc: &str) -> Vec<u64> {
        let query = self.query(name, "epc", &literal(epc));
        psql(&self.db, &["-A", "-t", "-F", "|"], &format!("{query};\n"))
            .lines()
            .map(|line| line.split('|').next().unwrap().parse().unwrap())
            .collect()
    }

    /// Drops the database.
    pub fn drop(&self) {
        psql(
            "postgres",
            &[],
            &format!("DROP DATABASE IF EXISTS {};\n", self.db),
        );
    }
}
