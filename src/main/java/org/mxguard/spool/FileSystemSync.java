package org.mxguard.spool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Linux's syncfs(2): writes back everything dirty on one file system and flushes the disk cache,
 * one call for all the files a journal segment's commits wrote (a checkpoint). Java has no binding,
 * so it is called through the foreign function API; where the C library has no syncfs (not Linux),
 * {@link #available()} is false and the spool does not use the commit journal.
 */
final class FileSystemSync {

    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;

    private static final Optional<FileSystemSync> INSTANCE = bind();

    private final MethodHandle open;
    private final MethodHandle syncfs;
    private final MethodHandle close;

    private FileSystemSync(MethodHandle open, MethodHandle syncfs, MethodHandle close) {
        this.open = open;
        this.syncfs = syncfs;
        this.close = close;
    }

    static Optional<FileSystemSync> available() {
        return INSTANCE;
    }

    private static Optional<FileSystemSync> bind() {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Optional<MemorySegment> open = libc.find("open");
            Optional<MemorySegment> syncfs = libc.find("syncfs");
            Optional<MemorySegment> close = libc.find("close");
            if (open.isEmpty() || syncfs.isEmpty() || close.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new FileSystemSync(
                    linker.downcallHandle(open.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2)),
                    linker.downcallHandle(syncfs.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                    linker.downcallHandle(close.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))));
        } catch (RuntimeException | LinkageError e) {
            // Native access refused or no such platform support: the spool fsyncs each message instead.
            return Optional.empty();
        }
    }

    /** Makes everything written on the file system that holds {@code directory} durable. */
    void sync(Path directory) throws IOException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(directory.toAbsolutePath().toString());
            fd = (int) open.invokeExact(path, O_RDONLY | O_DIRECTORY);
        } catch (Throwable e) {
            throw new IOException("open(" + directory + ") for syncfs failed", e);
        }
        if (fd < 0) {
            throw new IOException("open(" + directory + ") for syncfs failed");
        }
        try {
            int rc = (int) syncfs.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("syncfs(" + directory + ") failed");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("syncfs(" + directory + ") failed", e);
        } finally {
            try {
                int ignored = (int) close.invokeExact(fd);
            } catch (Throwable ignored) {
                // Closing a read-only directory descriptor cannot lose data.
            }
        }
    }
}
