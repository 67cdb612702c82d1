//! One JSON comparer for the library's unit tests and the CLI tests (each
//! includes this file with `#[path]`): two results that add the same terms
//! in another order (pieces, groups, threads) must agree on every field.

use serde_json::Value;

/// Asserts equal JSON: same keys in the same order, same arrays, strings
/// and integers exactly, floats within `relative` of the larger magnitude
/// (at least 1, so values near zero compare absolutely). `path` names the
/// field in the failure message.
pub fn assert_json_close(a: &Value, b: &Value, relative: f64, path: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (k, v) in x {
                assert_json_close(v, &y[k], relative, &format!("{path}/{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                assert_json_close(u, v, relative, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= relative * x.abs().max(y.abs()).max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}
