/*===- library_check.c - a library file is whole before dlopen maps it ----===*
 *
 * dlopen maps a library's segments as its program headers describe them;
 * where the file is shorter than they say, the first touch of a missing
 * page raises SIGBUS inside the loader. optc_check_library_file reads the
 * ELF header and the program and section headers with plain reads and
 * checks every range against the file's size first, so that a truncated
 * or corrupt library is an error naming what is wrong.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define OPTC_ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define OPTC_ELF_MACHINE EM_AARCH64
#endif

/* Whether [offset, offset + count * size) lies in a file of `length`
 * bytes, without overflow. */
static int inside(uint64_t offset, uint64_t count, uint64_t size,
                  uint64_t length) {
  if (offset > length)
    return 0;
  if (size != 0 && count > (length - offset) / size)
    return 0;
  return 1;
}

static optc_status *truncated(const char *path, uint64_t length,
                              const char *what) {
  return optc_status_make(OPTC_INVALID_ARGUMENT,
                          "'%s' is not a whole library: %s lies beyond its "
                          "%llu bytes (a truncated or corrupt file)",
                          path, what, (unsigned long long)length);
}

static optc_status *checkOpen(int fd, const char *path) {
  struct stat info;
  if (fstat(fd, &info) != 0)
    return optc_status_make(OPTC_IO_ERROR, "cannot stat '%s': %s", path,
                            strerror(errno));
  if (!S_ISREG(info.st_mode))
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is not a regular file", path);
  uint64_t length = (uint64_t)info.st_size;
  Elf64_Ehdr header;
  if (length < sizeof(header))
    return truncated(path, length, "the ELF header");
  if (pread(fd, &header, sizeof(header), 0) != (ssize_t)sizeof(header))
    return optc_status_make(OPTC_IO_ERROR, "cannot read '%s': %s", path,
                            strerror(errno));
  if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is not a shared library (no ELF header)",
                            path);
  int littleEndian = 1;
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] !=
          (*(const char *)&littleEndian ? ELFDATA2LSB : ELFDATA2MSB))
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is an ELF file of another word size or "
                            "byte order than this machine's",
                            path);
#ifdef OPTC_ELF_MACHINE
  if (header.e_machine != OPTC_ELF_MACHINE)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is a library for another architecture "
                            "(ELF machine %u)",
                            path, (unsigned)header.e_machine);
#endif
  if (header.e_type != ET_DYN)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is an ELF file but not a shared library",
                            path);
  if (header.e_phnum == 0 || header.e_phentsize != sizeof(Elf64_Phdr))
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' has malformed program headers", path);
  if (!inside(header.e_phoff, header.e_phnum, sizeof(Elf64_Phdr), length))
    return truncated(path, length, "the program header table");
  if (header.e_shoff != 0 &&
      (header.e_shentsize != sizeof(Elf64_Shdr) ||
       !inside(header.e_shoff, header.e_shnum, sizeof(Elf64_Shdr), length)))
    return truncated(path, length, "the section header table");
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    off_t at = (off_t)(header.e_phoff + (uint64_t)i * sizeof(segment));
    if (pread(fd, &segment, sizeof(segment), at) != (ssize_t)sizeof(segment))
      return optc_status_make(OPTC_IO_ERROR, "cannot read '%s': %s", path,
                              strerror(errno));
    if (segment.p_filesz != 0 &&
        !inside(segment.p_offset, 1, segment.p_filesz, length))
      return truncated(path, length, "a segment");
  }
  return NULL;
}

optc_status *optc_check_library_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return optc_status_make(OPTC_NOT_FOUND, "cannot open '%s': %s", path,
                            strerror(errno));
  optc_status *status = checkOpen(fd, path);
  close(fd);
  return status;
}
