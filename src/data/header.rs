//! Data stage: a dataset's header, read once from its first file and checked.
//!
//! Input: a [`Dataset`] and its [`RecordSource`]. Output: the [`Header`] every
//! file of the dataset must share, with what needs the dataset alone or its
//! header checked: one role per column ([`super::roles`]), no duplicate
//! column name, and personal-looking columns not declared `pii`
//! ([`super::privacy`], a warning).

use std::path::Path;

use super::privacy::warn_undeclared;
use super::roles::check_roles;
use super::source::{DataFile, Header, RecordSource};
use crate::diag::{display_path, Diagnostics, Location};
use crate::project::model::Dataset;

/// Reads the header of a dataset's first file with `source`. `None` (with an
/// error recorded) when the dataset has no file or the header cannot be read.
pub fn read_header_with<Src: RecordSource>(
    source: &Src,
    dataset: &Dataset,
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<Header> {
    check_roles(dataset, diags);
    let Some(first) = dataset.files.first() else {
        diags.error_hint(
            dataset.location.clone(),
            format!("dataset `{}` matches no file", dataset.id),
            "check the `path:` (a file, a folder or a glob inside the project)",
        );
        return None;
    };
    let file = display_path(root, first);
    let data_file = DataFile {
        path: first,
        file: &file,
        dataset,
    };
    let names = names_of(source, &data_file, diags)?;
    let header = Header {
        names,
        file,
        wanted: Default::default(),
    };
    warn_undeclared(&header, dataset, diags);
    Some(header)
}

/// The column names of one file: the source's own checks, then those every
/// format shares. `None` when an error was recorded.
pub(crate) fn names_of<Src: RecordSource>(
    source: &Src,
    file: &DataFile<'_>,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    let names = source.header(file, diags)?;
    if duplicates(&names, file, diags) {
        return None;
    }
    Some(names)
}

/// Records an error when a later file's header differs from the dataset's;
/// true if it matches.
pub(crate) fn same_header(
    names: &[String],
    header: &Header,
    file: &DataFile<'_>,
    diags: &mut Diagnostics,
) -> bool {
    if names == header.names {
        return true;
    }
    diags.error_hint(
        Location::at(file.file, 1, 0),
        format!(
            "the header of `{}` differs from the header of `{}` (dataset `{}`)",
            file.file.display(),
            header.file.display(),
            file.dataset.id
        ),
        "every file of a dataset must have the same columns in the same order",
    );
    false
}

/// Records an error for each non-blank header name that appears twice; true if any did.
fn duplicates(names: &[String], file: &DataFile<'_>, diags: &mut Diagnostics) -> bool {
    let mut found = false;
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            found = true;
            diags.error_hint(
                Location::at(file.file, 1, i as u32 + 1),
                format!(
                    "column `{name}` appears twice in the header of `{}` (fields {} and {}, dataset `{}`)",
                    file.file.display(),
                    first + 1,
                    i + 1,
                    file.dataset.id
                ),
                "rename one of them in the data: cxscore finds columns by name, so two of one name are ambiguous",
            );
        }
    }
    found
}
