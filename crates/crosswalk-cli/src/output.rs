//! Printing results: a readable table by default, JSON with `--format json`.
use crate::config::Format;
use serde::Serialize;
use std::io::Write;

/// Print `value` as JSON, or as rows of a table with `headers`.
pub fn print<T: Serialize>(format: Format, value: &T, headers: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(value)?)?,
        Format::Table | Format::Oscal | Format::CisoAssistant | Format::ScfStrm => {
            let widths: Vec<usize> = headers
                .iter()
                .enumerate()
                .map(|(i, h)| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0).max(h.len()))
                .collect();
            let line = |cells: Vec<String>| {
                cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_owned()
            };
            writeln!(out, "{}", line(headers.iter().map(|h| h.to_string()).collect()))?;
            for r in rows {
                writeln!(out, "{}", line(r))?;
            }
        }
    }
    Ok(())
}

/// Print one line to stdout (for commands whose output is a single value).
pub fn line(s: &str) -> anyhow::Result<()> {
    writeln!(std::io::stdout().lock(), "{s}")?;
    Ok(())
}
