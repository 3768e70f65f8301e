package org.mxguard.dns;

import java.util.List;

/** The raw MX answer of one name, before sorting and address lookups. */
public sealed interface MxRecords {

    /**
     * @param records the records as served; a target of "" is the root (Null MX, RFC 7505)
     */
    record Found(List<Record> records) implements MxRecords {
        public Found {
            records = List.copyOf(records);
        }
    }

    /** The name exists but has no MX records (NODATA): the implicit MX rule applies. */
    record NoRecords() implements MxRecords {
    }

    /** NXDOMAIN. */
    record NoSuchDomain(String reason) implements MxRecords {
    }

    record TemporaryFailure(String reason) implements MxRecords {
    }

    /**
     * @param preference 0..65535
     * @param target lower case without the trailing dot; "" for the root
     */
    record Record(int preference, String target) {
    }
}
