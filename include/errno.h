/* Error codes returned as negative values by hypervisor calls. */
#ifndef KAIROS_ERRNO_H
#define KAIROS_ERRNO_H

#define EPERM	   1   /* operation not permitted */
#define ENOENT	   2   /* no such entry */
#define EIO	   5   /* I/O error */
#define E2BIG	   7   /* argument list too long */
#define ENOMEM	   12  /* out of memory */
#define EFAULT	   14  /* bad address */
#define EBUSY	   16  /* resource busy */
#define EEXIST	   17  /* already exists */
#define ENODEV	   19  /* no such device */
#define EINVAL	   22  /* invalid argument */
#define ENOSPC	   28  /* no space left */
#define ERANGE	   34  /* result out of range */
#define ENODATA	   61  /* not enough data (a truncated input) */
#define ETIME	   62  /* a deadline that has passed */
#define ENOSYS	   38  /* function not implemented */
#define EOPNOTSUPP 95  /* valid, but not supported */
#define ETIMEDOUT  110 /* timed out */

#endif /* KAIROS_ERRNO_H */
