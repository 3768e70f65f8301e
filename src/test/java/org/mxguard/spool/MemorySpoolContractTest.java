package org.mxguard.spool;

/** The in-memory spool keeps the spool's contract. */
class MemorySpoolContractTest extends SpoolContract {

    @Override
    Spool open() {
        return new MemorySpool();
    }
}
