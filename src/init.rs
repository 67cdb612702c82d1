//! `cxscore init DIR`: a new, buildable project from files compiled into the binary.
//!
//! The starter (`starter/` at the repository root: `common/` plus one folder
//! per language) is embedded with `include_dir`, so an installed cxscore can
//! start a project anywhere, with no checkout beside it. Every YAML file gets a
//! `# yaml-language-server: $schema=` first line pointing at the schemas,
//! which `init` writes into the project's `.cxscore/schema/`.

use std::io;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir, File};

use crate::schema::{modeline, write_schemas, SCHEMA_DIR};

static STARTER: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/starter");

/// Why `init` could not create the project.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The target exists and holds something: never overwrite a user's files.
    #[error("{0} is not empty; `init` only creates a project in a new or empty folder")]
    NotEmpty(PathBuf),
    /// The target exists and is not a folder.
    #[error("{0} exists and is not a folder")]
    NotAFolder(PathBuf),
    /// The disk refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder being written.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Creates a starter project in `dir` in `language` (`en` or `zh-CN`); returns the files written.
pub fn init(dir: &Path, language: &str) -> Result<Vec<PathBuf>, InitError> {
    check_target(dir)?;
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    let mut written = Vec::new();
    let layers = ["common", language];
    for layer in layers {
        let Some(root) = STARTER.get_dir(layer) else {
            continue;
        };
        for file in files(root) {
            // Paths in an include_dir tree are relative to `starter/`.
            let relative = file.path().strip_prefix(layer).unwrap_or(file.path());
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            std::fs::write(&path, with_modeline(relative, file.contents()))
                .map_err(io_err(&path))?;
            written.push(path);
        }
    }
    let schema_dir = dir.join(SCHEMA_DIR);
    written.extend(write_schemas(&schema_dir).map_err(io_err(&schema_dir))?);
    let ignore = dir.join(".gitignore");
    std::fs::write(
        &ignore,
        "# The built site and the build cache: `cxscore build` remakes both.\n\
         # (.cxscore/schema/ holds the JSON Schemas your editor reads: keep it.)\n\
         _site/\n.cxscore/cache/\n\
         # The follow-up list (`followup:`): response ids to call back. Personal\n\
         # follow-up data: keep it out of git and out of the published site.\n\
         _followup/\n",
    )
    .map_err(io_err(&ignore))?;
    written.push(ignore);
    written.sort();
    Ok(written)
}

/// Refuses an existing file or a folder with anything in it.
fn check_target(dir: &Path) -> Result<(), InitError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(InitError::NotEmpty(dir.to_path_buf())),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => Err(InitError::NotAFolder(dir.to_path_buf())),
        Err(source) => Err(InitError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Every file under `dir`, in path order (deterministic output).
fn files<'a>(dir: &'a Dir<'a>) -> Vec<&'a File<'a>> {
    let mut out: Vec<&File> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(files(sub));
    }
    out.sort_by_key(|f| f.path());
    out
}

/// The file's bytes, with the schema line first for YAML files a schema describes.
fn with_modeline(relative: &Path, contents: &[u8]) -> Vec<u8> {
    match modeline(relative) {
        Some(line) => [line.as_bytes(), b"\n", contents].concat(),
        None => contents.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_same_files() {
        let names = |lang: &str| -> Vec<PathBuf> {
            files(STARTER.get_dir(lang).unwrap())
                .iter()
                .map(|f| f.path().strip_prefix(lang).unwrap().to_path_buf())
                .collect()
        };
        assert_eq!(names("en"), names("zh-CN"));
        assert!(names("en").contains(&PathBuf::from("cxscore.yaml")));
    }

    #[test]
    fn the_chinese_starter_journey_has_the_seven_stages_in_order() {
        let file = STARTER
            .get_file("zh-CN/journeys/onboarding.yaml")
            .expect("the zh-CN starter has a journey");
        let text = file.contents_utf8().unwrap();
        let names: Vec<&str> = (text.lines())
            .filter_map(|l| l.strip_prefix("    name: "))
            .collect();
        assert_eq!(
            names,
            ["发现", "探索", "比较", "购买", "使用", "保留", "推荐"]
        );
    }

    #[test]
    fn refuses_a_folder_with_anything_in_it() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            init(tmp.path(), "en"),
            Err(InitError::NotEmpty(_))
        ));
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn yaml_files_start_with_their_schema_line() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        init(&dir, "en").unwrap();
        let ind = std::fs::read_to_string(dir.join("indicators/core.yaml")).unwrap();
        assert!(ind.starts_with(
            "# yaml-language-server: $schema=../.cxscore/schema/indicators.schema.json\n"
        ));
        assert!(dir.join(".cxscore/schema/indicators.schema.json").is_file());
        let page = std::fs::read_to_string(dir.join("pages/about.md")).unwrap();
        assert!(page.starts_with("---"));
    }
}
