//! Stable identifiers: the same organization, project or user gets the same UUID on every
//! run, so that ids written down by a client (in its database, in a test fixture) still
//! point at the same thing after the emulator restarts and is seeded again.

use uuid::Uuid;

const FNV_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// A UUID derived from `parts` (case-sensitive; callers lowercase what ADO treats as
/// case-insensitive). Shaped like a random (v4) UUID, as ADO's own ids are.
pub(crate) fn stable_uuid(parts: &[&str]) -> Uuid {
    // FNV-1a is enough: the ids need to be distinct and repeatable, not secret.
    let mut hash = FNV_OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    }
    // Short inputs barely reach the high bits; fold them in so every byte varies.
    hash ^= hash >> 64;
    hash = hash.wrapping_mul(FNV_PRIME);
    uuid::Builder::from_random_bytes(hash.to_be_bytes()).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_parts_give_the_same_id() {
        assert_eq!(
            stable_uuid(&["project", "org", "alpha"]),
            stable_uuid(&["project", "org", "alpha"])
        );
    }

    #[test]
    fn different_parts_give_different_ids() {
        assert_ne!(
            stable_uuid(&["project", "org", "alpha"]),
            stable_uuid(&["project", "org", "beta"])
        );
        // The separator keeps ("ab", "c") apart from ("a", "bc").
        assert_ne!(stable_uuid(&["ab", "c"]), stable_uuid(&["a", "bc"]));
    }

    #[test]
    fn ids_look_like_version_four_uuids() {
        assert_eq!(stable_uuid(&["x"]).get_version_num(), 4);
    }
}
