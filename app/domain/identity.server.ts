// Identity: passwords, second factor, sign-in locks (platform/identity/).
export { verifySecondFactor } from '#platform/identity/verify-second-factor.ts'
export { stepUp } from '#platform/identity/step-up.ts'
export { changePassword } from '#platform/identity/change-password.ts'
export {
  confirmTwoFactorEnrolment,
  getTwoFactorStatus,
  startTwoFactorEnrolment,
} from '#platform/identity/two-factor-enrolment.ts'
export { listSignInLocks, liftSignInLocks } from '#platform/identity/sign-in-locks.ts'
export { MIN_PASSWORD_LENGTH, DEFAULT_PASSWORD_MAX_AGE_DAYS } from '#platform/identity/policy.ts'
