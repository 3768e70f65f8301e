package org.mxguard.spool;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The spool on disk keeps the spool's contract. */
class FileSpoolContractIT extends SpoolContract {

    @TempDir
    Path dir;

    @Override
    Spool open() throws IOException {
        FileSpool spool = FileSpool.open(SpoolSettings.defaults(dir), Clock.systemUTC());
        spool.recover();
        return spool;
    }
}
